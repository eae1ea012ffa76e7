import type { Job } from '../../../src/shared/domain/jobs'

/**
 * A finished backup job, with `patch` applied. Renderer tests are type-checked for the browser,
 * so they cannot share test/unit/desktop/fixtures.ts (which reaches Node code).
 */
export function job(patch: Partial<Job> = {}): Job {
  return {
    id: 'j',
    workspaceId: 'ws-a',
    kind: 'backup',
    title: 'Back up alpha',
    state: 'succeeded',
    phase: 'done',
    filesDone: 0,
    filesTotal: null,
    bytesDone: 0,
    bytesTotal: null,
    currentPath: null,
    rate: null,
    eta: null,
    createdAt: '2025-01-01T10:00:00.000Z',
    startedAt: '2025-01-01T10:00:00.000Z',
    finishedAt: '2025-01-01T10:01:30.000Z',
    error: null,
    ...patch,
  }
}
