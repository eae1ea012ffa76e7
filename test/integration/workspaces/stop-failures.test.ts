import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { RestorePointList } from '../../../src/shared/domain/backup'
import { cloudInfo } from '../../support/cloud-info'
import { faultyS3Proxy, type FaultyProxy } from '../../support/faulty-proxy'
import { runningWorkspace, type RunningWorkspace } from './running-workspace'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

describe('a stop that cannot finish leaves the server running and says why', () => {
  let h: WorkspaceHarness
  let ws: RunningWorkspace
  let proxy: FaultyProxy

  beforeAll(async () => {
    h = await startWorkspaceHarness({ storage: 's3' })
    ws = await runningWorkspace(h)
    // The storage from here on goes through a proxy the tests can break.
    proxy = await faultyS3Proxy(() => 'pass')
    if (h.storage.kind !== 's3') throw new Error('s3 storage expected')
    const s3 = cloudInfo().s3
    await h.ok('storage.save', {
      config: {
        kind: 's3',
        endpoint: proxy.endpoint,
        region: s3.region,
        bucket: h.storage.bucket,
        prefix: h.storage.prefix,
        accessKeyId: s3.accessKeyId,
        forcePathStyle: true,
      },
      secretAccessKey: s3.secretAccessKey,
    })
  })

  afterAll(async () => {
    await h?.control.reset(h.project.id)
    await h?.close({ remove: true })
    await proxy?.close()
  })

  const serverExists = async (id: number) =>
    (await (await h.core.workspaces.hetzner()).servers.find(id)) !== null
  const points = async (workspaceId: string) =>
    (await h.ok<RestorePointList>('restorePoints.list', { workspaceId })).restorePoints

  /** Runs a stop that must fail; returns the job's error and the record afterwards. */
  const failingStop = async (w: RunningWorkspace) => {
    const job = await h.ok<Job>('workspaces.stop', { id: w.record.id })
    const done = await h.finished(job.id)
    expect(done.state).toBe('failed')
    const record = (await h.core.workspaces.registry.get(w.record.id))!
    return { error: done.error!, record }
  }

  it('a kept path missing on the VM: backup fails, server stays, state running with a problem', async () => {
    await h.core.workspaces.registry.update(ws.record.id, (r) => {
      r.paths = ['/home/dev', '/home/was-here']
    })
    const { error, record } = await failingStop(ws)
    expect(error.message).toMatch(
      /was not stopped: the backup failed: .*was-here.*The server still runs; nothing was deleted\./,
    )
    expect(record).toMatchObject({
      state: 'running',
      pending: null,
      server: { id: ws.serverId },
      problem: { code: 'stop_failed' },
    })
    expect(record.problem!.message).toContain('nothing was deleted')
    expect(await serverExists(ws.serverId)).toBe(true)
    expect(await points(ws.record.id)).toEqual([])
    await h.core.workspaces.registry.update(ws.record.id, (r) => {
      r.paths = ['/home/dev']
    })
  })

  it('the storage failing during the backup: server stays, state running with a problem', async () => {
    proxy.setPlan(() => 'error500')
    try {
      const { error, record } = await failingStop(ws)
      expect(error.message).toMatch(
        /was not stopped: .*The server still runs; nothing was deleted\./,
      )
      expect(record).toMatchObject({
        state: 'running',
        pending: null,
        server: { id: ws.serverId },
        ssh: { host: ws.record.ssh!.host },
        problem: { code: 'stop_failed' },
      })
    } finally {
      proxy.setPlan(() => 'pass')
    }
    expect(await serverExists(ws.serverId)).toBe(true)
    expect(await ws.ssh('cat ~/notes.txt')).toBe('remember the milk\n')
  })

  it('Hetzner answering 503 and 429 to the delete: retried, and the stop succeeds', async () => {
    await h.control.inject(
      { method: 'DELETE', path: '/servers/:id', code: 'unavailable', times: 1 },
      h.project.id,
    )
    await h.control.inject(
      { method: 'DELETE', path: '/servers/:id', code: 'rate_limit_exceeded', times: 1 },
      h.project.id,
    )
    const job = await h.ok<Job>('workspaces.stop', { id: ws.record.id })
    const done = await h.finished(job.id)
    expect(done.error).toBeNull()
    expect(await serverExists(ws.serverId)).toBe(false)
    expect(await h.core.workspaces.registry.get(ws.record.id)).toMatchObject({
      state: 'stopped',
      problem: null,
    })
    expect((await points(ws.record.id)).map((p) => p.trigger)).toEqual(['stop'])
  })

  it('Hetzner refusing the delete for good: the server still exists and the record says so', async () => {
    const w = await runningWorkspace(h)
    const rule = await h.control.inject(
      { method: 'DELETE', path: '/servers/:id', code: 'unavailable' },
      h.project.id,
    )
    try {
      const { error, record } = await failingStop(w)
      expect(error.message).toContain('server was not deleted')
      expect(error.message).toContain('restore point is saved and verified')
      expect(record).toMatchObject({
        state: 'running',
        pending: null,
        server: { id: w.serverId },
        problem: { code: 'server_not_deleted' },
      })
      expect(record.problem!.message).toMatch(/still runs and is billed; choose Stop again/)
      expect(await serverExists(w.serverId)).toBe(true)
      expect((await points(w.record.id)).map((p) => p.trigger)).toEqual(['stop'])
    } finally {
      await h.control.clearFaults(h.project.id, rule)
    }
    // Stop again once Hetzner answers: a fresh backup, then the delete.
    const job = await h.ok<Job>('workspaces.stop', { id: w.record.id })
    expect((await h.finished(job.id)).error).toBeNull()
    expect(await serverExists(w.serverId)).toBe(false)
    expect((await points(w.record.id)).map((p) => p.trigger)).toEqual(['stop', 'stop'])
  })
  it('a stop cancelled during the backup: rolled back, the server kept', async () => {
    const w = await runningWorkspace(h, { blobBytes: 8 * 1024 * 1024 })
    const job = await h.ok<Job>('workspaces.stop', { id: w.record.id })
    const deadline = Date.now() + 30_000
    while (!h.jobEvents(job.id).some((j) => j.phase.startsWith('backing up: '))) {
      if (Date.now() > deadline) throw new Error('the backup never started')
      await new Promise((r) => setTimeout(r, 5))
    }
    await h.ok('jobs.cancel', { id: job.id })
    const done = await h.finished(job.id)
    expect(done.state).toBe('cancelled')
    expect(await h.core.workspaces.registry.get(w.record.id)).toMatchObject({
      state: 'running',
      pending: null,
      server: { id: w.serverId },
      problem: { code: 'stop_cancelled' },
    })
    expect(await serverExists(w.serverId)).toBe(true)
  })
})
