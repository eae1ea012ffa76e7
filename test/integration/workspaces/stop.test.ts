import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { RestorePointList } from '../../../src/shared/domain/backup'
import { stopAllRunning } from '../../../src/main/core/workspaces/stop-all'
import { runningWorkspace, type RunningWorkspace } from './running-workspace'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

describe('stopping a workspace: back up, verify, delete the server', () => {
  let h: WorkspaceHarness
  let ws: RunningWorkspace
  const dirs: string[] = []

  beforeAll(async () => {
    h = await startWorkspaceHarness()
    ws = await runningWorkspace(h)
  })

  afterAll(async () => {
    await h?.close({ remove: true })
    for (const dir of dirs) await rm(dir, { recursive: true, force: true })
  })

  const serverExists = async (id: number) =>
    (await (await h.core.workspaces.hetzner()).servers.find(id)) !== null

  it('leaves a verified restore point tagged stop and name:, deletes the server, forgets the ssh entry', async () => {
    const alias = `Host cairn-${ws.record.name}`
    expect(await readFile(h.sshConfigPath, 'utf8')).toContain(alias)

    const job = await h.ok<Job>('workspaces.stop', { id: ws.record.id })
    expect(job).toMatchObject({ kind: 'stop', workspaceId: ws.record.id, state: 'running' })
    const done = await h.finished(job.id)
    expect(done.error).toBeNull()
    expect(done.state).toBe('succeeded')
    const phases = h.jobEvents(job.id).map((j) => j.phase)
    expect(phases.some((p) => p.startsWith('backing up'))).toBe(true)
    expect(phases.indexOf('deleting server')).toBeGreaterThan(
      phases.findIndex((p) => p.startsWith('verifying')),
    )

    expect(await serverExists(ws.serverId)).toBe(false)
    const vms = await h.control.vms(h.project.id)
    expect(vms.some((v) => v.serverId === ws.serverId)).toBe(false)

    const { restorePoints } = await h.ok<RestorePointList>('restorePoints.list', {
      workspaceId: ws.record.id,
    })
    expect(restorePoints).toHaveLength(1)
    const point = restorePoints[0]!
    expect(point.trigger).toBe('stop')
    expect(point.tags).toEqual(expect.arrayContaining([`name:${ws.record.name}`, 'stop']))
    expect(point.paths).toEqual(['/home/dev'])

    const record = (await h.core.workspaces.registry.get(ws.record.id))!
    expect(record).toMatchObject({
      state: 'stopped',
      server: null,
      ssh: null,
      pending: null,
      problem: null,
      lastBackup: { restorePointId: point.id, trigger: 'stop' },
    })
    expect(await readFile(h.sshConfigPath, 'utf8')).not.toContain(alias)
    expect(
      h.events.some(
        (e) =>
          e.event === 'restorePoints.changed' &&
          (e.payload as { restorePoint: { id: string } }).restorePoint.id === point.id,
      ),
    ).toBe(true)

    // The restore point holds the files, bit for bit.
    const target = await mkdtemp(join(tmpdir(), 'cairn-stop-restore-'))
    dirs.push(target)
    const restore = await h.ok<Job>('restore.start', {
      workspaceId: ws.record.id,
      restorePoint: point.id,
      target: { kind: 'local', path: target },
    })
    expect((await h.finished(restore.id)).state).toBe('succeeded')
    for (const [path, sha] of ws.files) {
      const body = await readFile(join(target, path)).catch(() =>
        readFile(join(target, 'dev', path)),
      )
      expect(createHash('sha256').update(body).digest('hex'), path).toBe(sha)
    }
  })

  it('refuses to stop a stopped workspace', async () => {
    const result = await h.call('workspaces.stop', { id: ws.record.id })
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict' } })
    if (!result.ok) expect(result.error.message).toContain('already stopped')
  })

  it('an idle stop and stop-all (quit) tag their restore points and stop every running server', async () => {
    const [a, b] = await Promise.all([runningWorkspace(h), runningWorkspace(h)])
    // What the idle monitor calls (wired in createCore): resolves once the stop job finished.
    await h.core.idle['options'].stopWorkspace(a!.record.id)
    expect(await serverExists(a!.serverId)).toBe(false)
    // What the hosts call before they exit: nothing unless the user turned the option on.
    expect(await h.core.stopOnQuit()).toEqual([])
    expect(await serverExists(b!.serverId)).toBe(true)
    await h.ok('idle.setStopAllOnQuit', { enabled: true })
    const outcomes = await h.core.stopOnQuit()
    expect(outcomes).toEqual([{ id: b!.record.id, name: b!.record.name, ok: true, error: null }])
    expect(await serverExists(b!.serverId)).toBe(false)
    for (const [w, tag] of [
      [a!, 'idle'],
      [b!, 'quit'],
    ] as const) {
      const { restorePoints } = await h.ok<RestorePointList>('restorePoints.list', {
        workspaceId: w.record.id,
      })
      expect(restorePoints.map((p) => [p.trigger, p.tags])).toEqual([
        ['stop', [`name:${w.record.name}`, 'stop', tag]],
      ])
      expect((await h.core.workspaces.registry.get(w.record.id))?.state).toBe('stopped')
    }
    expect(await stopAllRunning(h.core.workspaces)).toEqual([])
  })
  it('a restore point that does not read back: the stop fails and the server stays', async () => {
    const w = await runningWorkspace(h)
    if (h.storage.kind !== 'folder') throw new Error('folder storage expected')
    const data = join(h.storage.path, 'workspaces', w.record.id, 'data')
    // Between the backup and its check, the storage damages every pack (a byte of the first blob).
    const off = h.core.workspaces.registry.onChange((id, record) => {
      if (id !== w.record.id || record?.pending?.step !== 'verifying') return
      for (const shard of readdirSync(data)) {
        for (const name of readdirSync(join(data, shard))) {
          const path = join(data, shard, name)
          const body = readFileSync(path)
          body[20] = body[20]! ^ 0xff
          writeFileSync(path, body)
        }
      }
    })
    try {
      const job = await h.ok<Job>('workspaces.stop', { id: w.record.id })
      const done = await h.finished(job.id)
      expect(done.state).toBe('failed')
      expect(done.error?.message).toMatch(
        /was not stopped: the new restore point did not read back correctly .*nothing was deleted\./,
      )
    } finally {
      off()
    }
    expect(await serverExists(w.serverId)).toBe(true)
    expect(await h.core.workspaces.registry.get(w.record.id)).toMatchObject({
      state: 'running',
      pending: null,
      server: { id: w.serverId },
      problem: { code: 'stop_failed' },
    })
  })
})
