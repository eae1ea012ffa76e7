import { spawn, type ChildProcess } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { RestorePointList } from '../../../src/shared/domain/backup'
import type { WorkspaceRecord } from '../../../src/shared/domain/workspace'
import { REGISTRY_FILE } from '../../../src/main/core/workspaces/registry'
import { runningWorkspace, type RunningWorkspace } from './running-workspace'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

const child = resolve(__dirname, 'fixtures/stop-child.ts')

describe('Cairn killed in the middle of a stop', () => {
  let first: WorkspaceHarness & { service: string }
  let h: WorkspaceHarness | null = null
  let early: RunningWorkspace
  let late: RunningWorkspace
  const children: ChildProcess[] = []

  beforeAll(async () => {
    first = await startWorkspaceHarness()
    // The early one has enough data that its backup is surely still running when it is killed.
    ;[early, late] = await Promise.all([
      runningWorkspace(first, { blobBytes: 8 * 1024 * 1024 }),
      runningWorkspace(first),
    ])
    await first.close()
  })

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL')
    await first?.control.reset(first.project.id)
    await h?.close({ remove: true })
  })

  const restart = async () => {
    await h?.close()
    h = await startWorkspaceHarness({ reuse: first })
    return h
  }

  /** The registry record as the file on disk has it now. */
  const onDisk = async (id: string): Promise<WorkspaceRecord | undefined> => {
    try {
      const doc = JSON.parse(await readFile(join(first.dataDir, REGISTRY_FILE), 'utf8')) as {
        workspaces: WorkspaceRecord[]
      }
      return doc.workspaces.find((w) => w.id === id)
    } catch {
      return undefined // between the rename's halves or not yet written
    }
  }

  /** Starts a core in a child that stops `id`, and SIGKILLs it once the stop reached `step`. */
  const killAtStep = async (
    id: string,
    steps: Array<string | null>,
    also: () => Promise<boolean> = async () => true,
    method: 'workspaces.stop' | 'workspaces.backup' = 'workspaces.stop',
  ): Promise<string | null> => {
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        child,
        JSON.stringify({
          dataDir: first.dataDir,
          sshConfigPath: first.sshConfigPath,
          service: first.service,
          vmSshPort: first.project.sshPort,
          workspaceId: id,
          method,
        }),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    children.push(proc)
    let err = ''
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    const exited = new Promise<void>((r) => proc.once('exit', () => r()))
    const deadline = Date.now() + 45_000
    for (;;) {
      const record = await onDisk(id)
      const step = record?.pending?.kind === 'stop' ? record.pending.step : null
      if (steps.includes(step) && (await also())) {
        proc.kill('SIGKILL')
        await exited
        return step
      }
      if (proc.exitCode !== null) throw new Error(`the child exited early: ${err.slice(0, 2000)}`)
      if (record?.state === 'stopped' || (method === 'workspaces.backup' && record?.lastBackup)) {
        throw new Error('the operation finished before the kill')
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL')
        throw new Error(`no step ${steps.join('/')} in time (now ${step}): ${err.slice(0, 2000)}`)
      }
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  const holdsLease = (id: string) =>
    readdir(join(first.dataDir, 'repo', 'workspaces', id, 'locks')).then(
      (names) => names.length > 0,
      () => false,
    )

  const serverExists = async (core: WorkspaceHarness, id: number) =>
    (await (await core.core.workspaces.hetzner()).servers.find(id)) !== null

  it('before the restore point was verified: rolled back, the server kept, the user told', async () => {
    // Killed once the backup holds the workspace's lease (a lock object in the folder).
    const step = await killAtStep(early.record.id, ['backing-up', 'verifying'], () =>
      holdsLease(early.record.id),
    )
    expect(['backing-up', 'verifying']).toContain(step)
    const killed = (await onDisk(early.record.id))!
    expect(killed).toMatchObject({ state: 'stopping', pending: { kind: 'stop' } })

    const after = await restart()
    const record = (await after.core.workspaces.registry.get(early.record.id))!
    expect(record).toMatchObject({
      state: 'running',
      pending: null,
      server: { id: early.serverId },
      problem: { code: 'stop_interrupted' },
    })
    expect(record.problem!.message).toContain('Nothing was deleted')
    expect(await serverExists(after, early.serverId)).toBe(true)
    expect(await early.ssh('cat ~/notes.txt')).toBe('remember the milk\n')
    // The job the kill cut off is reported.
    const jobs = await after.ok<Job[]>('jobs.list')
    expect(jobs.find((j) => j.id === killed.pending!.jobId)).toMatchObject({
      kind: 'stop',
      state: 'failed',
      error: { code: 'interrupted' },
    })
    // The other workspace was not touched.
    expect(await after.core.workspaces.registry.get(late.record.id)).toMatchObject({
      state: 'running',
      pending: null,
      problem: null,
    })
    // The killed backup's lease was removed at start-up, so stopping again works at once.
    const again = await after.ok<Job>('workspaces.stop', { id: early.record.id })
    expect((await after.finished(again.id)).error).toBeNull()
    expect(await serverExists(after, early.serverId)).toBe(false)
  })

  it('after the restore point was verified: the stop is finished after the restart', async () => {
    await h?.close()
    h = null
    // Hetzner refuses the delete while the child runs, so the kill lands after 'verified'.
    const rule = await first.control.inject(
      { method: 'DELETE', path: '/servers/:id', code: 'unavailable' },
      first.project.id,
    )
    const step = await killAtStep(late.record.id, ['verified', 'server-deleted'])
    expect(step).toBe('verified')
    const killed = (await onDisk(late.record.id))!
    expect(killed.pending).toMatchObject({ kind: 'stop', step: 'verified' })
    expect(killed.pending!.restorePointId).toMatch(/^[0-9a-f]{64}$/)
    await first.control.clearFaults(first.project.id, rule)
    expect(await serverExists(first, late.serverId)).toBe(true)

    const after = await restart() // the harness awaits start-up, which finishes the stop
    expect(await after.core.workspaces.registry.get(late.record.id)).toMatchObject({
      state: 'stopped',
      server: null,
      ssh: null,
      pending: null,
      problem: null,
    })
    expect(await serverExists(after, late.serverId)).toBe(false)
    const { restorePoints } = await after.ok<RestorePointList>('restorePoints.list', {
      workspaceId: late.record.id,
    })
    expect(restorePoints.map((p) => [p.id, p.trigger])).toEqual([
      [killed.pending!.restorePointId, 'stop'],
    ])
    const jobs = await after.ok<Job[]>('jobs.list')
    expect(
      jobs.find(
        (j) => j.kind === 'stop' && j.workspaceId === late.record.id && j.state === 'succeeded',
      )?.title,
    ).toContain('interrupted')
    expect(await readFile(first.sshConfigPath, 'utf8')).not.toContain(`cairn-${late.record.name}`)
  })
  it('a Back up now killed mid-way: its lease is released at start-up, so Stop works at once', async () => {
    const w = await runningWorkspace(h!, { blobBytes: 8 * 1024 * 1024 })
    await h!.close()
    h = null
    await killAtStep(w.record.id, [null], () => holdsLease(w.record.id), 'workspaces.backup')
    const after = await restart()
    expect(await holdsLease(w.record.id)).toBe(false)
    const job = await after.ok<Job>('workspaces.stop', { id: w.record.id })
    expect((await after.finished(job.id)).error).toBeNull()
    expect(await serverExists(after, w.serverId)).toBe(false)
  })
})
