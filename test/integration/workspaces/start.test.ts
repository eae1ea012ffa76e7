import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { WorkspaceRecord } from '../../../src/shared/domain/workspace'
import { HetznerClient } from '../../../src/main/core/hetzner/hetzner-client'
import { unwatchIdle } from '../../../src/main/core/workspaces/idle-watch'
import { syncSshConfig } from '../../../src/main/core/workspaces/ssh-config-sync'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

const run = promisify(execFile)

/** Files with the details a restore must keep: modes, mtimes (ns), symlinks, odd names. */
const WRITE_FILES = String.raw`set -e
mkdir -p ~/project/src ~/project/empty ~/project/bin
cd ~/project
printf 'hello\n' > README.md
head -c 300000 /dev/urandom > src/data.bin
printf '#!/bin/sh\necho hi\n' > bin/run.sh; chmod 755 bin/run.sh
printf 'secret-ish\n' > private.txt; chmod 600 private.txt
printf 'x' > 'name with spaces'
ln -s README.md link-to-readme
ln -s ../missing dangling
touch -h -d '2021-03-04 05:06:07.123456789' README.md link-to-readme
touch -d '2020-01-02 03:04:05' src empty
chmod 750 src
printf 'custom bashrc\n' >> ~/.bashrc
`

const LIST_FILES = String.raw`cd ~/project && find . -printf '%p %y %m %s %T@ %l\n' | LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum`

describe('workspaces.start: a new server restored from a restore point', () => {
  let h: WorkspaceHarness
  let hetzner: HetznerClient
  let record: WorkspaceRecord
  let before: string
  let oldHostKey: string

  const ssh = (command: string) =>
    run(
      'ssh',
      [
        '-F',
        h.sshConfigPath,
        '-o',
        'BatchMode=yes',
        '-o',
        'ConnectTimeout=10',
        'cairn-app',
        command,
      ],
      { timeout: 30_000 },
    )

  beforeAll(async () => {
    h = await startWorkspaceHarness({
      workspaces: {
        readinessTimeouts: { server: 5_000, ssh: 20_000, 'cloud-init': 20_000 },
        pollIntervalMs: 100,
      },
    })
    hetzner = new HetznerClient({ baseUrl: h.project.url, token: h.project.token })
  })

  afterAll(async () => {
    for (const s of await hetzner.servers.list()) await hetzner.servers.delete(s.id)
    await h?.close({ remove: true })
  })

  it('prepares a stopped workspace: created, files written, backed up, server deleted', async () => {
    const job = await h.ok<Job>('workspaces.create', {
      name: 'app',
      location: 'nbg1',
      serverType: 'cx22',
    })
    expect(await h.finished(job.id, 60_000)).toMatchObject({ error: null, state: 'succeeded' })
    record = (await h.core.workspaces.registry.findByName('app'))!
    await ssh(WRITE_FILES)
    before = (await ssh(LIST_FILES)).stdout
    expect(before).toContain('./link-to-readme l 777')

    const ws = record.ssh!
    oldHostKey = ws.hostKey
    const backup = await h.ok<Job>('backup.start', {
      workspaceId: record.id,
      source: {
        kind: 'ssh',
        host: ws.host,
        port: ws.port,
        user: ws.user,
        hostKey: ws.hostKey,
        keyId: ws.keyId,
        path: '/home/dev',
      },
      trigger: 'stop',
    })
    const backed = await h.finished(backup.id, 60_000)
    expect(backed.error).toBeNull()

    // What the stop job (another part) does, reduced to its effect: no server, state stopped.
    await unwatchIdle(h.core.workspaces, record.id)
    const deleting = await hetzner.servers.delete(record.server!.id)
    await hetzner.actions.waitFor([deleting!], { pollIntervalMs: 100 })
    record = await h.core.workspaces.registry.update(record.id, (r) => {
      r.state = 'stopped'
      r.server = null
      r.ssh = null
    })
    await syncSshConfig(h.core.workspaces)
    expect(await hetzner.servers.list()).toHaveLength(0)
  })

  it('a start that fails deletes its server and leaves the workspace stopped, with the reason', async () => {
    await h.control.holdInitializing(1, h.project.id)
    const job = await h.ok<Job>('workspaces.start', { id: record.id })
    const done = await h.finished(job.id, 60_000)
    expect(done).toMatchObject({ state: 'failed', error: { details: { phase: 'server' } } })
    const after = (await h.core.workspaces.registry.get(record.id))!
    expect(after).toMatchObject({
      state: 'stopped',
      server: null,
      ssh: null,
      pending: null,
      problem: { code: 'remote_error', message: expect.stringContaining('new server was deleted') },
    })
    expect(await hetzner.servers.list()).toEqual([])
    const points = await h.ok<{ restorePoints: unknown[] }>('restorePoints.list', {
      workspaceId: record.id,
    })
    expect(points.restorePoints).toHaveLength(1)
    await h.control.reset(h.project.id)
  })

  it('a cancelled start deletes its server and leaves the workspace stopped', async () => {
    await h.control.holdInitializing(1, h.project.id)
    const job = await h.ok<Job>('workspaces.start', { id: record.id })
    for (;;) {
      const current = await h.core.workspaces.registry.get(record.id)
      if (current?.pending?.serverId) break
      await new Promise((r) => setTimeout(r, 50))
    }
    await h.ok('jobs.cancel', { id: job.id })
    expect((await h.finished(job.id, 30_000)).state).toBe('cancelled')
    expect(await h.core.workspaces.registry.get(record.id)).toMatchObject({
      state: 'stopped',
      server: null,
      pending: null,
      problem: { code: 'cancelled' },
    })
    expect(await hetzner.servers.list()).toEqual([])
    await h.control.reset(h.project.id)
  })

  it('starts on a new server with the files bit-identical, a new pinned host key and the secrets', async () => {
    expect((await h.core.workspaces.registry.get(record.id))!.ssh).toBeNull()
    await h.ok('workspaces.secrets.set', { id: record.id, name: 'API_TOKEN', value: 'tok-123' })

    // Another type and location than last time (the default is the last used).
    const job = await h.ok<Job>('workspaces.start', {
      id: record.id,
      serverType: 'cx32',
      location: 'hel1',
    })
    expect(job).toMatchObject({ kind: 'start', workspaceId: record.id })
    const done = await h.finished(job.id, 60_000)
    expect(done.error).toBeNull()
    expect(done.state).toBe('succeeded')

    const started = (await h.core.workspaces.registry.get(record.id))!
    expect(started).toMatchObject({
      state: 'running',
      pending: null,
      problem: null,
      location: 'hel1',
      serverType: 'cx32',
      server: { location: 'hel1', serverType: 'cx32', priceHourly: expect.any(String) },
    })
    const servers = await hetzner.servers.list()
    expect(servers.map((s) => s.id)).toEqual([started.server!.id])

    const after = (await ssh(LIST_FILES)).stdout
    expect(after).toBe(before)
    const { stdout } = await ssh(
      'tail -n 1 ~/.bashrc; printf "%s\\n" "$API_TOKEN"; stat -c %a ~/.config/cairn/env',
    )
    expect(stdout.trim().split('\n')).toEqual(['custom bashrc', 'tok-123', '600'])
    expect(h.core.idle.isWatching(record.id)).toBe(true)
    // A new host key, generated for the new server and pinned.
    expect(started.ssh!.hostKey).toMatch(/^ssh-ed25519 /)
    expect(started.ssh!.hostKey).not.toBe(oldHostKey)
  })

  it('create with `from` makes a copy of a restore point on a server of its own', async () => {
    const job = await h.ok<Job>('workspaces.create', {
      name: 'app-copy',
      location: 'fsn1',
      serverType: 'cx22',
      from: { workspaceId: record.id, restorePoint: 'latest' },
    })
    const done = await h.finished(job.id, 60_000)
    expect(done.error).toBeNull()
    const copy = (await h.core.workspaces.registry.findByName('app-copy'))!
    expect(copy).toMatchObject({ state: 'running', secretNames: [] })
    expect(copy.id).not.toBe(record.id)
    const { stdout } = await run(
      'ssh',
      ['-F', h.sshConfigPath, '-o', 'BatchMode=yes', 'cairn-app-copy', LIST_FILES],
      { timeout: 30_000 },
    )
    expect(stdout).toBe(before)
    expect(await hetzner.servers.list()).toHaveLength(2)
  })

  it('refuses to start a running workspace', async () => {
    const result = await h.call('workspaces.start', { id: record.id })
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict' } })
  })
})
