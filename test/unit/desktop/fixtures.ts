import type { Job } from '../../../src/shared/domain/jobs'
import type { WorkspaceList, WorkspaceView } from '../../../src/shared/domain/workspace'
import type { IdleState } from '../../../src/shared/domain/idle'

export const T0 = Date.parse('2025-05-01T10:00:00.000Z')

export function job(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    workspaceId: 'ws-web',
    kind: 'backup',
    title: 'Back up web',
    state: 'succeeded',
    phase: 'done',
    filesDone: 120,
    filesTotal: 120,
    bytesDone: 3_400_000,
    bytesTotal: 3_400_000,
    currentPath: null,
    rate: null,
    eta: null,
    createdAt: new Date(T0).toISOString(),
    startedAt: new Date(T0).toISOString(),
    finishedAt: new Date(T0 + 1000).toISOString(),
    error: null,
    ...overrides,
  }
}

export function workspace(overrides: Partial<WorkspaceView> = {}): WorkspaceView {
  const name = overrides.name ?? 'web'
  return {
    id: `ws-${name}`,
    name,
    provider: 'hetzner',
    state: 'running',
    createdAt: new Date(T0).toISOString(),
    paths: ['/home/dev'],
    excludes: [],
    includes: [],
    includeCredentials: false,
    idleTimeoutMinutes: 30,
    location: 'fsn1',
    serverType: 'cx22',
    image: 'ubuntu-24.04',
    server: null,
    ssh: null,
    lastBackup: null,
    secretNames: [],
    problem: null,
    pending: null,
    cost: { runningEur: 0.1, monthlyEur: 4.15, hourlyEur: 0.0067 },
    storageBytes: null,
    restorePointCount: null,
    sshAlias: `cairn-${name}`,
    ...overrides,
  }
}

export function list(
  workspaces: WorkspaceView[],
  overrides: Partial<WorkspaceList> = {},
): WorkspaceList {
  return {
    workspaces,
    orphans: [],
    discovered: [],
    totals: { runningEur: 0, monthlyEur: 0, hourlyEur: 0, storageBytes: 0 },
    reconciledAt: null,
    reconcileProblem: null,
    ...overrides,
  }
}

export function idle(overrides: Partial<IdleState> = {}): IdleState {
  return {
    workspaceId: 'ws-web',
    state: 'active',
    disabledReason: null,
    timeoutMinutes: 30,
    idleSince: null,
    stopAt: null,
    lastActivity: null,
    signals: [],
    postponedUntil: null,
    pausedUntil: null,
    checkedAt: null,
    cpuKnown: false,
    cpu: null,
    sessions: [],
    agents: [],
    vscodeWindows: 0,
    probeError: null,
    stopError: null,
    ...overrides,
  }
}
