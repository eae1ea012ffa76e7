import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { RestorePointList } from '../../../src/shared/domain/backup'
import { cairnServerLabels } from '../../../src/main/core/provision/labels'
import { acquireLease, openWorkspace } from '../../../src/main/core/repo'
import { secretAccounts } from '../../../src/main/core/secrets/secret-store'
import { runningWorkspace, type RunningWorkspace } from './running-workspace'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

describe('deleting a workspace (S3 storage)', () => {
  let h: WorkspaceHarness & { service: string }
  let ws: RunningWorkspace
  let other: RunningWorkspace
  let strayServer: number

  beforeAll(async () => {
    h = await startWorkspaceHarness({ storage: 's3' })
    ;[ws, other] = await Promise.all([
      runningWorkspace(h, { record: { secretNames: ['API_KEY', 'GH_TOKEN'] } }),
      runningWorkspace(h),
    ])
    for (const name of ws.record.secretNames) {
      await h.core.services.secrets.set(
        secretAccounts.workspaceSecret(ws.record.id, name),
        `value-of-${name}`,
      )
    }
    // Restore points of both, so there is something to delete and something to keep.
    for (const w of [ws, other]) {
      const job = await h.ok<Job>('workspaces.backup', { id: w.record.id })
      expect((await h.finished(job.id)).state).toBe('succeeded')
    }
    await ws.ssh('echo again >> ~/notes.txt')
    const again = await h.ok<Job>('workspaces.backup', { id: ws.record.id })
    expect((await h.finished(again.id)).state).toBe('succeeded')
    // A server of this workspace that the record does not name (an interrupted create's).
    const hetzner = await h.core.workspaces.hetzner()
    const created = await hetzner.servers.create({
      name: `${ws.record.name}-stray`,
      serverType: 'cx22',
      image: 'ubuntu-24.04',
      location: 'fsn1',
      labels: cairnServerLabels(ws.record.id),
    })
    strayServer = created.server.id
  })

  afterAll(async () => {
    await h?.close({ remove: true })
  })

  /** Every object key in the storage under the workspace's prefix or its registry entry. */
  const objectsOf = async (id: string): Promise<string[]> => {
    const { store, close } = await h.core.workspaces.backup.configuredStore()
    try {
      const keys: string[] = []
      for (const prefix of [`workspaces/${id}/`, `registry/${id}`]) {
        for await (const o of store.list(prefix)) keys.push(o.key)
      }
      return keys
    } finally {
      close()
    }
  }
  const servers = async () =>
    (await (await h.core.workspaces.hetzner()).servers.list()).map((s) => s.id)

  it('refuses a wrong name and touches nothing', async () => {
    const before = await objectsOf(ws.record.id)
    expect(before.some((k) => k.includes('/snapshots/'))).toBe(true)
    for (const confirmName of ['', ws.record.name.toUpperCase(), other.record.name]) {
      const result = await h.call('workspaces.delete', { id: ws.record.id, confirmName })
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
      if (!result.ok)
        expect(result.error.message).toContain(`type its name exactly: ${ws.record.name}`)
    }
    expect(await objectsOf(ws.record.id)).toEqual(before)
    expect(await servers()).toEqual(expect.arrayContaining([ws.serverId, strayServer]))
    expect(await h.core.workspaces.registry.get(ws.record.id)).toMatchObject({ state: 'running' })
    expect(
      await h.core.services.secrets.get(secretAccounts.workspaceSecret(ws.record.id, 'API_KEY')),
    ).toBe('value-of-API_KEY')
  })

  it('a backup running on another desktop refuses the deletion before anything is removed', async () => {
    const { repo, close } = await h.core.workspaces.backup.openRepository()
    const workspace = await openWorkspace(repo, ws.record.id)
    const lease = await acquireLease(workspace, { holder: 'backup job 7', hostname: 'laptop' })
    try {
      const before = await objectsOf(ws.record.id)
      const job = await h.ok<Job>('workspaces.delete', {
        id: ws.record.id,
        confirmName: ws.record.name,
      })
      const done = await h.finished(job.id)
      expect(done.state).toBe('failed')
      expect(done.error?.code).toBe('conflict')
      expect(done.error?.message).toMatch(
        /was not deleted: .*backup job 7 on laptop.*Nothing was removed\./,
      )
      expect(await h.core.workspaces.registry.get(ws.record.id)).toMatchObject({
        state: 'running',
        pending: null,
        server: { id: ws.serverId },
        problem: { code: 'delete_refused' },
      })
      expect(await servers()).toEqual(expect.arrayContaining([ws.serverId, strayServer]))
      expect(await objectsOf(ws.record.id)).toEqual(before)
    } finally {
      await lease.release()
      close()
    }
  })

  it('with the name: no server, no object, no secret, no registry entry, no ssh entry left', async () => {
    const job = await h.ok<Job>('workspaces.delete', {
      id: ws.record.id,
      confirmName: ws.record.name,
    })
    expect(job.kind).toBe('delete')
    const done = await h.finished(job.id)
    expect(done.error).toBeNull()
    expect(done.state).toBe('succeeded')

    const left = await servers()
    expect(left).not.toContain(ws.serverId)
    expect(left).not.toContain(strayServer)
    expect(left).toContain(other.serverId)
    expect(await objectsOf(ws.record.id)).toEqual([])
    for (const name of ws.record.secretNames) {
      expect(
        await h.core.services.secrets.get(secretAccounts.workspaceSecret(ws.record.id, name)),
      ).toBeNull()
    }
    expect(await h.core.workspaces.registry.get(ws.record.id)).toBeNull()
    const config = await readFile(h.sshConfigPath, 'utf8')
    expect(config).not.toContain(`cairn-${ws.record.name}\n`)
    expect(config).toContain(`cairn-${other.record.name}`)
    expect(
      h.events.some(
        (e) =>
          e.event === 'workspaces.changed' &&
          (e.payload as { id: string; workspace: unknown }).id === ws.record.id &&
          (e.payload as { workspace: unknown }).workspace === null,
      ),
    ).toBe(true)

    // The other workspace is untouched.
    expect((await objectsOf(other.record.id)).length).toBeGreaterThan(0)
    const { restorePoints } = await h.ok<RestorePointList>('restorePoints.list', {})
    expect(new Set(restorePoints.map((p) => p.workspaceId))).toEqual(new Set([other.record.id]))
  })
  it('a deletion cut off half-way is finished at the next start', async () => {
    const id = other.record.id
    // As a kill leaves it: some restore point objects already removed, the server still there.
    await h.core.workspaces.registry.update(id, (r) => {
      r.state = 'deleting'
      r.pending = {
        kind: 'delete',
        jobId: 'killed-job',
        startedAt: new Date().toISOString(),
        step: 'deleting-restore-points',
        serverId: other.serverId,
        createToken: null,
        restorePointId: null,
      }
    })
    const { store, close } = await h.core.workspaces.backup.configuredStore()
    for await (const o of store.list(`workspaces/${id}/snapshots/`)) await store.delete(o.key)
    close()
    await h.close()
    h = await startWorkspaceHarness({ reuse: h }) // start-up resumes the deletion

    expect(await h.core.workspaces.registry.get(id)).toBeNull()
    expect(await objectsOf(id)).toEqual([])
    expect(await servers()).not.toContain(other.serverId)
    const jobs = await h.ok<Job[]>('jobs.list')
    expect(jobs.find((j) => j.kind === 'delete' && j.workspaceId === id)).toMatchObject({
      state: 'succeeded',
      title: expect.stringContaining('interrupted'),
    })
  })
})
