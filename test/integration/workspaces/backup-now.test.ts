import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { JobResult, RestorePointList } from '../../../src/shared/domain/backup'
import { newWorkspaceId } from '../../../src/main/core/workspaces/registry'
import { runningWorkspace, type RunningWorkspace } from './running-workspace'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

describe('back up now, and what stop and delete do to a brought SSH host', () => {
  let h: WorkspaceHarness
  let ws: RunningWorkspace

  beforeAll(async () => {
    h = await startWorkspaceHarness()
    ws = await runningWorkspace(h, { record: { excludes: ['notes.txt'] } })
  })

  afterAll(async () => {
    await h?.close({ remove: true })
  })

  const points = async (workspaceId: string) =>
    (await h.ok<RestorePointList>('restorePoints.list', { workspaceId })).restorePoints

  it('makes a restore point with trigger manual and the workspace settings; it keeps running', async () => {
    const job = await h.ok<Job>('workspaces.backup', { id: ws.record.id })
    expect(job).toMatchObject({ kind: 'backup', workspaceId: ws.record.id })
    const done = await h.finished(job.id)
    expect(done.error).toBeNull()
    const [point, ...rest] = await points(ws.record.id)
    expect(rest).toEqual([])
    expect(point).toMatchObject({ trigger: 'manual', tags: [`name:${ws.record.name}`] })
    const result = await h.ok<JobResult>('jobs.result', { id: job.id })
    expect(result).toMatchObject({ kind: 'backup', restorePoint: { id: point!.id } })

    // The workspace's exclude rule applied: notes.txt is not in it, project/ is.
    const browse = await h.ok<{ entries: Array<{ name: string }> }>('restorePoints.browse', {
      workspaceId: ws.record.id,
      restorePoint: point!.id,
    })
    const names = browse.entries.map((e) => e.name)
    expect(names).toContain('project')
    expect(names).not.toContain('notes.txt')

    const record = (await h.core.workspaces.registry.get(ws.record.id))!
    expect(record).toMatchObject({
      state: 'running',
      server: { id: ws.serverId },
      lastBackup: { restorePointId: point!.id, trigger: 'manual' },
    })
    // The index files it wrote are in the desktop's index cache, so the next backup reads none.
    const cached = await readdir(join(h.dataDir, 'cache'), { recursive: true })
    expect(cached.filter((f) => f.includes(`${ws.record.id}/index/`)).length).toBeGreaterThan(0)
    // The list shows its storage at once, without waiting for a reconcile.
    const view = await h.workspace(ws.record.id)
    expect(view.restorePointCount).toBe(1)
    expect(view.storageBytes).toBeGreaterThan(0)
    // A second one only stores what changed.
    await ws.ssh('echo more >> ~/project/README.md')
    const second = await h.ok<Job>('workspaces.backup', { id: ws.record.id })
    expect((await h.finished(second.id)).state).toBe('succeeded')
    const both = await points(ws.record.id)
    expect(both).toHaveLength(2)
    expect(both[1]!.parent).toBe(point!.id)
  })

  it('backs up a brought SSH host; stop is refused and delete never touches the machine', async () => {
    // The same VM, registered as the user's own machine.
    const byo = {
      ...ws.record,
      id: newWorkspaceId(),
      name: `${ws.record.name}-own`,
      provider: 'ssh' as const,
      server: null,
      location: null,
      serverType: null,
      image: null,
      idleTimeoutMinutes: null,
      excludes: [],
    }
    await h.core.workspaces.registry.add(byo)

    const job = await h.ok<Job>('workspaces.backup', { id: byo.id })
    expect((await h.finished(job.id)).state).toBe('succeeded')
    expect((await points(byo.id)).map((p) => p.trigger)).toEqual(['manual'])

    const stop = await h.call('workspaces.stop', { id: byo.id })
    expect(stop).toMatchObject({ ok: false, error: { code: 'conflict' } })
    if (!stop.ok) expect(stop.error.message).toMatch(/your own SSH host.*Back up now/)

    const del = await h.ok<Job>('workspaces.delete', { id: byo.id, confirmName: byo.name })
    const deleted = await h.finished(del.id)
    expect(deleted.error).toBeNull()
    expect(await h.core.workspaces.registry.get(byo.id)).toBeNull()
    // The machine still runs, with its files.
    expect(await ws.ssh('cat ~/project/src/main.ts')).toBe('export const answer = 42\n')
    const server = await (await h.core.workspaces.hetzner()).servers.find(ws.serverId)
    expect(server?.status).toBe('running')
  })

  it('refuses back up now for a stopped workspace', async () => {
    const id = newWorkspaceId()
    await h.core.workspaces.registry.add({
      ...ws.record,
      id,
      name: `${ws.record.name}-stopped`,
      state: 'stopped',
      server: null,
      ssh: null,
    })
    const result = await h.call('workspaces.backup', { id })
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict' } })
  })
})
