import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { WorkspaceRecord } from '../../../src/shared/domain/workspace'
import { HetznerClient } from '../../../src/main/core/hetzner/hetzner-client'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

const run = promisify(execFile)

describe('workspaces.create on the local cloud', () => {
  let h: WorkspaceHarness
  let hetzner: HetznerClient
  let record: WorkspaceRecord

  beforeAll(async () => {
    h = await startWorkspaceHarness({
      workspaces: { readinessTimeouts: { server: 30_000, ssh: 30_000, 'cloud-init': 30_000 } },
    })
    hetzner = new HetznerClient({ baseUrl: h.project.url, token: h.project.token })
  })

  afterAll(async () => {
    for (const s of await hetzner.servers.list()) await hetzner.servers.delete(s.id)
    await h?.close({ remove: true })
  })

  const ssh = (alias: string, command: string) =>
    run(
      'ssh',
      ['-F', h.sshConfigPath, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', alias, command],
      { timeout: 20_000 },
    )

  it('creates a server with the labels, pins its host key and lists it as running with its price', async () => {
    const job = await h.ok<Job>('workspaces.create', {
      name: 'web',
      location: 'fsn1',
      serverType: 'cx22',
    })
    expect(job).toMatchObject({ kind: 'create', state: 'running' })
    const during = (await h.core.workspaces.registry.list())[0]!
    expect(during).toMatchObject({ name: 'web', state: 'creating', pending: { kind: 'create' } })

    const done = await h.finished(job.id, 60_000)
    expect(done.error).toBeNull()
    expect(done.state).toBe('succeeded')
    const phases = h.jobEvents(job.id).map((j) => j.phase)
    // Progress events are throttled (10/s), so only some of the phases show; the last is done.
    expect(phases.at(-1)).toBe('done')
    expect(phases.some((p) => /server|SSH|setting up|secrets|ssh/.test(p))).toBe(true)

    record = (await h.core.workspaces.registry.findByName('web'))!
    expect(record).toMatchObject({
      state: 'running',
      pending: null,
      problem: null,
      provider: 'hetzner',
      location: 'fsn1',
      serverType: 'cx22',
      server: { location: 'fsn1', serverType: 'cx22', image: 'ubuntu-24.04' },
      ssh: { user: 'dev', port: h.project.sshPort },
    })
    expect(Number(record.server!.priceHourly)).toBeGreaterThan(0)
    expect(Number(record.server!.priceMonthly)).toBeGreaterThan(Number(record.server!.priceHourly))
    expect(record.ssh!.hostKeyFingerprint).toMatch(/^SHA256:/)

    const servers = await hetzner.servers.list()
    expect(servers).toHaveLength(1)
    expect(servers[0]).toMatchObject({
      id: record.server!.id,
      status: 'running',
      labels: { 'managed-by': 'cairn', 'workspace-id': record.id },
    })
    expect(servers[0]!.ipv4).toBe(record.ssh!.host)
    // Root got the installation key through Hetzner's ssh_keys (no root password mail).
    const keys = await hetzner.sshKeys.list()
    expect(keys).toHaveLength(1)
    const vm = (await h.control.vms(h.project.id)).find((v) => v.serverId === record.server!.id)!
    const rootKeys = await readFile(`${vm.rootDir}/.ssh/authorized_keys`, 'utf8')
    // disable_root: the key is there (no password mail), behind "please log in as dev".
    expect(rootKeys).toContain(keys[0]!.publicKey.trim().split(' ')[1])
    expect(vm.cloudInit).toMatchObject({ users: ['dev'], errors: [] })

    expect(h.core.idle.isWatching(record.id)).toBe(true)
  })

  it('`ssh cairn-web` works with the real OpenSSH client and the pinned host key', async () => {
    const config = await readFile(h.sshConfigPath, 'utf8')
    expect(config).toContain('Host cairn-web')
    const { stdout } = await ssh('cairn-web', 'id -un; hostname')
    expect(stdout.trim().split('\n')).toEqual(['dev', record.server!.name])
  })

  it('writes secrets over SSH into a 0600 file that shells read, and rewrites it on delete', async () => {
    const value = `sk-test-'quoted' $HOME "x" ${Date.now()}`
    expect(
      await h.ok('workspaces.secrets.set', { id: record.id, name: 'ANTHROPIC_API_KEY', value }),
    ).toEqual(['ANTHROPIC_API_KEY'])
    expect(
      await h.ok('workspaces.secrets.set', { id: record.id, name: 'GITHUB_TOKEN', value: 'ghp_1' }),
    ).toEqual(['ANTHROPIC_API_KEY', 'GITHUB_TOKEN'])
    expect(await h.ok('workspaces.secrets.list', { id: record.id })).toEqual([
      'ANTHROPIC_API_KEY',
      'GITHUB_TOKEN',
    ])
    const { stdout } = await ssh(
      'cairn-web',
      'stat -c "%a %U" ~/.config/cairn/env ~/.config/cairn; printf "%s\\n" "$ANTHROPIC_API_KEY"; ' +
        'bash -lc \'printf "%s\\n" "$GITHUB_TOKEN"\'',
    )
    expect(stdout.split('\n').slice(0, 4)).toEqual(['600 dev', '700 dev', value, 'ghp_1'])

    // The registry holds names only; the values live in the keychain.
    const registry = await readFile(h.core.workspaces.registry.path, 'utf8')
    expect(registry).not.toContain(value)
    expect(registry).toContain('ANTHROPIC_API_KEY')

    expect(
      await h.ok('workspaces.secrets.delete', { id: record.id, name: 'ANTHROPIC_API_KEY' }),
    ).toEqual(['GITHUB_TOKEN'])
    const after = await ssh('cairn-web', 'cat ~/.config/cairn/env')
    expect(after.stdout).not.toContain('ANTHROPIC_API_KEY')
    expect(after.stdout).toContain('export GITHUB_TOKEN=ghp_1')

    // Restore points never keep the secrets file (it is rewritten from the keychain on start).
    const backup = await h.ok<{ id: string }>('workspaces.backup', { id: record.id })
    expect((await h.finished(backup.id)).state).toBe('succeeded')
    const folder = await h.ok<{ entries: Array<{ name: string }> }>('restorePoints.browse', {
      workspaceId: record.id,
      restorePoint: 'latest',
      path: '.config/cairn',
    })
    expect(folder.entries.map((e) => e.name)).not.toContain('env')
    const log = await readFile(`${h.dataDir}/logs/cairn.log`, 'utf8').catch(() => '')
    expect(log).not.toContain(value)
  })

  it('after a restart, running workspaces are watched for idleness again', async () => {
    const { service } = h as WorkspaceHarness & { service: string }
    await h.close()
    h = await startWorkspaceHarness({
      reuse: {
        dataDir: h.dataDir,
        sshConfigPath: h.sshConfigPath,
        service,
        project: h.project,
        storage: h.storage,
      },
    })
    expect(h.core.idle.isWatching(record.id)).toBe(true)
    expect(await h.core.workspaces.registry.get(record.id)).toMatchObject({ state: 'running' })
  })

  it('refuses a second workspace with the same name, an unknown server type or location, before buying anything', async () => {
    const same = await h.call('workspaces.create', {
      name: 'web',
      location: 'fsn1',
      serverType: 'cx22',
    })
    expect(same).toMatchObject({ ok: false, error: { code: 'conflict' } })
    const type = await h.call('workspaces.create', {
      name: 'other',
      location: 'fsn1',
      serverType: 'cx999',
    })
    expect(type).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    const location = await h.call('workspaces.create', {
      name: 'other',
      location: 'mars1',
      serverType: 'cx22',
    })
    expect(location).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(await hetzner.servers.list()).toHaveLength(1)
    expect((await h.core.workspaces.registry.list()).map((r) => r.name)).toEqual(['web'])
  })
})
