import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { WorkspaceList, WorkspaceView } from '../../../src/shared/domain/workspace'
import { newWorkspaceId } from '../../../src/main/core/workspaces/registry'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

/**
 * A second desktop with the recovery key and the same storage sees the first one's workspaces:
 * discovery names them from the restore point's `name:` tag, measures their storage, and
 * importing one makes it a stopped workspace this desktop can start.
 */
describe('workspaces.list: discovery, storage and settings', () => {
  let a: WorkspaceHarness
  let b: WorkspaceHarness
  let source: string
  const workspaceId = newWorkspaceId()
  beforeAll(async () => {
    source = await mkdtemp(join(tmpdir(), 'cairn-ws-list-src-'))
    await mkdir(join(source, 'project'))
    await writeFile(join(source, 'project', 'main.ts'), 'export const answer = 42\n'.repeat(500))
    ;[a, b] = await Promise.all([startWorkspaceHarness(), startWorkspaceHarness()])
  })
  afterAll(async () => {
    await Promise.all([a?.close({ remove: true }), b?.close({ remove: true })])
    await rm(source, { recursive: true, force: true })
  })

  it('a second desktop with the recovery key discovers, measures and imports a workspace', async () => {
    const job = await a.ok<Job>('backup.start', {
      workspaceId,
      source: { kind: 'local', path: source },
      trigger: 'stop',
      tags: ['stop', 'name:shared-ws'],
    })
    expect((await a.finished(job.id, 60_000)).state).toBe('succeeded')
    const { recoveryKey } = await a.ok<{ recoveryKey: string }>('keys.exportRecovery')
    if (a.storage.kind !== 'folder') throw new Error('folder storage expected')
    await b.ok('storage.save', { config: { kind: 'folder', path: a.storage.path } })
    await b.ok('keys.importRecovery', { recoveryKey, replace: true })

    const list = await b.ok<WorkspaceList>('workspaces.reconcile')
    expect(list.reconcileProblem).toBeNull()
    expect(list.workspaces).toEqual([])
    expect(list.discovered).toEqual([
      { workspaceId, name: 'shared-ws', restorePointCount: 1, latest: expect.any(String) },
    ])
    expect(list.totals.storageBytes).toBeGreaterThan(0)

    const imported = await b.ok<WorkspaceView>('workspaces.importDiscovered', {
      workspaceId,
      name: 'shared-ws',
    })
    expect(imported).toMatchObject({
      id: workspaceId,
      name: 'shared-ws',
      provider: 'hetzner',
      state: 'stopped',
      location: null,
      serverType: null,
      server: null,
      ssh: null,
      paths: [source],
      restorePointCount: 1,
      sshAlias: 'cairn-shared-ws',
      cost: null,
    })
    expect(imported.storageBytes).toBeGreaterThan(0)
    expect(imported.lastBackup).toMatchObject({ trigger: 'stop' })
    const after = await b.ok<WorkspaceList>('workspaces.list')
    expect(after.discovered).toEqual([])
    expect(after.workspaces.map((w) => w.id)).toEqual([workspaceId])
    expect(after.totals.storageBytes).toBe(imported.storageBytes)
    // Importing twice, or under a name in use, is refused.
    const again = await b.call('workspaces.importDiscovered', { workspaceId, name: 'other' })
    expect(again.ok).toBe(false)
    if (!again.ok) expect(again.error.code).toBe('conflict')
  })

  it('update changes the rules and the idle timeout, also of a watched workspace at once', async () => {
    const changed = await b.ok<WorkspaceView>('workspaces.update', {
      id: workspaceId,
      excludes: ['node_modules'],
      includes: ['node_modules/keep'],
      includeCredentials: true,
      idleTimeoutMinutes: null,
    })
    expect(changed).toMatchObject({
      excludes: ['node_modules'],
      includes: ['node_modules/keep'],
      includeCredentials: true,
      idleTimeoutMinutes: null,
    })
    // Watched with a probe that cannot reach it: only the timeout matters here.
    b.core.idle.watch(workspaceId, {
      probe: {
        run: () => Promise.reject(new Error('no VM in this test')),
        close: async () => {},
      },
      timeoutMinutes: 30,
    })
    await b.ok('workspaces.update', { id: workspaceId, idleTimeoutMinutes: 45 })
    expect(b.core.idle.state(workspaceId).timeoutMinutes).toBe(45)
    await b.core.idle.unwatch(workspaceId)
    expect((await b.workspace(workspaceId)).idleTimeoutMinutes).toBe(45)
    const bad = await b.call('workspaces.update', { id: workspaceId, idleTimeoutMinutes: 1 })
    expect(bad.ok).toBe(false)
    const badRule = await b.call('workspaces.update', { id: workspaceId, excludes: ['/'] })
    expect(badRule.ok).toBe(false)
    if (!badRule.ok) expect(badRule.error).toMatchObject({ code: 'invalid_input' })
    expect((await b.workspace(workspaceId)).excludes).toEqual(['node_modules'])
    const none = await b.call('workspaces.update', { id: 'ws-nope', excludes: [] })
    expect(none.ok).toBe(false)
    if (!none.ok) expect(none.error.code).toBe('not_found')
  })
})
