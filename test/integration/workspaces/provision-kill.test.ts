import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { WorkspaceRecord } from '../../../src/shared/domain/workspace'
import { HetznerClient } from '../../../src/main/core/hetzner/hetzner-client'
import { unwatchIdle } from '../../../src/main/core/workspaces/idle-watch'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

const CHILD = fileURLToPath(new URL('./fixtures/provision-kill-child.ts', import.meta.url))

/**
 * Cairn killed (SIGKILL) in the middle of a create and of a start, after the server was created:
 * the next start of Cairn deletes that server and rolls the workspace back (create: no record;
 * start: stopped, with a problem saying so). Never an orphan server Cairn does not show.
 */
describe('a create or start cut off by a kill is rolled back at the next start', () => {
  let first: Awaited<ReturnType<typeof startWorkspaceHarness>>
  let h: WorkspaceHarness | null = null
  let hetzner: HetznerClient
  let stopped: WorkspaceRecord
  const children: ChildProcess[] = []

  beforeAll(async () => {
    first = await startWorkspaceHarness({
      workspaces: { readinessTimeouts: { server: 20_000, ssh: 20_000, 'cloud-init': 20_000 } },
    })
    hetzner = new HetznerClient({ baseUrl: first.project.url, token: first.project.token })
    // A stopped workspace with a restore point, for the start case.
    const job = await first.ok<Job>('workspaces.create', {
      name: 'later',
      location: 'fsn1',
      serverType: 'cx22',
    })
    expect(await first.finished(job.id, 60_000)).toMatchObject({ error: null, state: 'succeeded' })
    const record = (await first.core.workspaces.registry.findByName('later'))!
    const ssh = record.ssh!
    const backup = await first.ok<Job>('backup.start', {
      workspaceId: record.id,
      source: { kind: 'ssh', ...pick(ssh), path: '/home/dev' },
    })
    expect(await first.finished(backup.id, 60_000)).toMatchObject({
      error: null,
      state: 'succeeded',
    })
    await unwatchIdle(first.core.workspaces, record.id)
    const deleting = await hetzner.servers.delete(record.server!.id)
    await hetzner.actions.waitFor([deleting!], { pollIntervalMs: 100 })
    stopped = await first.core.workspaces.registry.update(record.id, (r) => {
      r.state = 'stopped'
      r.server = null
      r.ssh = null
    })
    await first.close()
  }, 60_000)

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
    for (const s of await hetzner.servers.list()) await hetzner.servers.delete(s.id)
    await h?.close()
    await first?.close({ remove: true })
  })

  function pick(ssh: NonNullable<WorkspaceRecord['ssh']>) {
    return {
      host: ssh.host,
      port: ssh.port,
      user: ssh.user,
      hostKey: ssh.hostKey,
      keyId: ssh.keyId,
    }
  }

  /** Runs a core in a child, starts `method`, and SIGKILLs it once the server exists. */
  async function killAfterServerCreated(method: string, input: unknown): Promise<number> {
    await h?.close() // one core per data dir at a time, as in real life
    h = null
    await first.control.holdInitializing(1, first.project.id)
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        CAIRN_KILL_CHILD: JSON.stringify({
          dataDir: first.dataDir,
          sshConfigPath: first.sshConfigPath,
          service: first.service,
          vmSshPort: first.project.sshPort,
          method,
          input,
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let out = ''
    let err = ''
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    const serverId = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no server after 40 s: ${out} ${err}`)),
        40_000,
      )
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString()
        const match = /SERVER (\d+)/.exec(out)
        if (match) {
          clearTimeout(timer)
          resolve(Number(match[1]))
        }
        if (out.includes('FAILED')) reject(new Error(out))
      })
      child.once('exit', (code) => reject(new Error(`child exited ${code}: ${out} ${err}`)))
    })
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))
    await first.control.reset(first.project.id)
    return serverId
  }

  async function restart(): Promise<WorkspaceHarness> {
    await h?.close()
    h = await startWorkspaceHarness({
      reuse: {
        dataDir: first.dataDir,
        sshConfigPath: first.sshConfigPath,
        service: first.service,
        project: first.project,
        storage: first.storage,
      },
    })
    return h
  }

  it('create: the server is deleted (found by its attempt label) and the record removed', async () => {
    const serverId = await killAfterServerCreated('workspaces.create', {
      name: 'killed',
      location: 'fsn1',
      serverType: 'cx22',
    })
    expect((await hetzner.servers.list()).map((s) => s.id)).toContain(serverId)

    // As if the kill came before the create's answer was recorded: only the attempt token is left.
    const path = `${first.dataDir}/workspaces.json`
    const doc = JSON.parse(await readFile(path, 'utf8')) as { workspaces: WorkspaceRecord[] }
    const killed = doc.workspaces.find((w) => w.name === 'killed')!
    expect(killed).toMatchObject({ state: 'creating', pending: { kind: 'create' } })
    expect(killed.pending!.createToken).toMatch(/^[0-9a-f]{16}$/)
    killed.pending!.serverId = null
    await writeFile(path, JSON.stringify(doc))

    const after = await restart()
    expect(await hetzner.servers.list()).toEqual([])
    expect(await after.core.workspaces.registry.findByName('killed')).toBeNull()
    // The interrupted job is reported in the job history.
    const jobs = await after.ok<Job[]>('jobs.list')
    expect(jobs.find((j) => j.kind === 'create' && j.workspaceId === killed.id)).toMatchObject({
      state: 'failed',
      error: { code: 'interrupted' },
    })
    // The stopped workspace was not touched.
    expect(await after.core.workspaces.registry.get(stopped.id)).toMatchObject({ state: 'stopped' })
  }, 60_000)

  it('start: the new server is deleted and the workspace is stopped again, saying why', async () => {
    const serverId = await killAfterServerCreated('workspaces.start', { id: stopped.id })
    expect((await hetzner.servers.list()).map((s) => s.id)).toEqual([serverId])
    const after = await restart()
    expect(await hetzner.servers.list()).toEqual([])
    expect(await after.core.workspaces.registry.get(stopped.id)).toMatchObject({
      state: 'stopped',
      server: null,
      ssh: null,
      pending: null,
      problem: {
        code: 'interrupted',
        message: expect.stringContaining('Cairn was closed while starting this workspace'),
      },
    })
    const points = await after.ok<{ restorePoints: unknown[] }>('restorePoints.list', {
      workspaceId: stopped.id,
    })
    expect(points.restorePoints).toHaveLength(1)
  }, 60_000)
})
