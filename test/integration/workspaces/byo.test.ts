import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SshKeyView } from '../../../src/shared/domain/backup'
import type { Job } from '../../../src/shared/domain/jobs'
import type { WorkspaceView } from '../../../src/shared/domain/workspace'
import { generateHostKey } from '../../../src/main/core/provision/host-keys'
import { createTestVm, type TestVm } from '../../support/remote-vm'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

const run = promisify(execFile)

/**
 * Bringing an existing SSH host: its host key is probed without logging in, pinned only as the
 * user confirmed it, and the login is checked with the chosen key. Then `ssh cairn-<name>` (the
 * real OpenSSH client) and backups reach it.
 */
describe('workspaces.adoptSsh: a host the user brings', () => {
  let h: WorkspaceHarness
  let vm: TestVm
  let keyDir: string
  let key: SshKeyView
  beforeAll(async () => {
    ;[h, vm, keyDir] = await Promise.all([
      startWorkspaceHarness(),
      createTestVm('byo-host'),
      mkdtemp(join(tmpdir(), 'cairn-byo-key-')),
    ])
    await writeFile(join(keyDir, 'id'), vm.userKey, { mode: 0o600 })
    key = await h.ok<SshKeyView>('sshKeys.importFile', {
      name: 'my laptop key',
      path: join(keyDir, 'id'),
    })
  })
  afterAll(async () => {
    await h?.close({ remove: true })
    await vm?.destroy()
    await rm(keyDir, { recursive: true, force: true })
  })

  const adopt = (over: Record<string, unknown> = {}) =>
    h.call('workspaces.adoptSsh', {
      name: 'my-box',
      host: vm.ip,
      port: vm.port,
      user: 'dev',
      keyId: key.id,
      hostKey: vm.hostPublic,
      paths: ['/home/dev'],
      ...over,
    })

  it('probes the host key without logging in', async () => {
    const before = await vm.sshdLog()
    const probe = await h.ok<{ hostKey: string; fingerprint: string; keyType: string }>(
      'workspaces.probeHostKey',
      { host: vm.ip, port: vm.port },
    )
    expect(probe.keyType).toBe('ssh-ed25519')
    expect(probe.hostKey).toBe(vm.hostPublic.split(' ').slice(0, 2).join(' '))
    await writeFile(join(keyDir, 'host.pub'), `${vm.hostPublic}\n`)
    const { stdout } = await run('ssh-keygen', ['-lf', join(keyDir, 'host.pub')])
    expect(stdout).toContain(probe.fingerprint)
    const log = (await vm.sshdLog()).slice(before.length)
    expect(log).not.toMatch(/Accepted|Failed publickey|invalid user/i)
    const closed = await h.call('workspaces.probeHostKey', { host: '127.0.0.1', port: 1 })
    expect(closed.ok).toBe(false)
    if (!closed.ok) expect(closed.error.code).toBe('unreachable')
  })

  it('refuses a host key other than the one the host presents, a key it does not accept, and missing folders', async () => {
    const mismatch = await adopt({ hostKey: generateHostKey().publicKey })
    expect(mismatch.ok).toBe(false)
    if (!mismatch.ok) expect(mismatch.error.code).toBe('host_key_mismatch')

    const other = await h.ok<SshKeyView>('sshKeys.generate', { name: 'unused key' })
    const refused = await adopt({ keyId: other.id })
    expect(refused.ok).toBe(false)
    if (!refused.ok) {
      expect(refused.error.code).toBe('unauthorized')
      expect(refused.error.message).toMatch(/authorized_keys/)
      expect(refused.error.message).toContain(other.publicKey.split(' ')[1])
    }
    const missing = await adopt({ paths: ['/home/dev', '/home/dev/no such dir'] })
    expect(missing.ok).toBe(false)
    if (!missing.ok) expect(missing.error.message).toContain('/home/dev/no such dir')
    expect((await h.ok<{ workspaces: unknown[] }>('workspaces.list')).workspaces).toEqual([])
  })

  it('adopts it: ssh cairn-<name> works with the real OpenSSH client, and so does a backup', async () => {
    await writeFile(join(vm.homeDir, 'dev', 'notes.txt'), 'brought along\n')
    const view = await (async () => {
      const result = await adopt()
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
      return result.output as WorkspaceView
    })()
    expect(view).toMatchObject({
      provider: 'ssh',
      state: 'running',
      server: null,
      idleTimeoutMinutes: null,
      paths: ['/home/dev'],
      sshAlias: 'cairn-my-box',
      cost: null,
    })
    expect(view.ssh).toMatchObject({ host: vm.ip, port: vm.port, user: 'dev', keyId: key.id })
    // The log the probe test read does record logins (so its silence there meant something).
    expect(await vm.sshdLog()).toMatch(/Accepted publickey for dev/)

    const config = await readFile(h.sshConfigPath, 'utf8')
    expect(config).toContain('Host cairn-my-box')
    const identity = join(h.dataDir, 'ssh', `identity-${key.id}`)
    expect(config).toContain(`IdentityFile "${identity}"`)
    expect((await stat(identity)).mode & 0o777).toBe(0o600)
    const { stdout } = await run(
      'ssh',
      ['-F', h.sshConfigPath, '-o', 'BatchMode=yes', 'cairn-my-box', 'cat notes.txt'],
      { timeout: 20_000 },
    )
    expect(stdout).toBe('brought along\n')

    const job = await h.ok<Job>('backup.start', {
      workspaceId: view.id,
      source: {
        kind: 'ssh',
        host: vm.ip,
        port: vm.port,
        user: 'dev',
        keyId: key.id,
        hostKey: view.ssh!.hostKey,
        path: '/home/dev',
      },
    })
    expect((await h.finished(job.id, 60_000)).state).toBe('succeeded')

    const twice = await adopt()
    expect(twice.ok).toBe(false)
    if (!twice.ok) expect(twice.error.code).toBe('conflict')
  })

  it('watches its activity over SSH but never gives it an idle timeout', async () => {
    const id = (await h.core.workspaces.registry.findByName('my-box'))!.id
    expect(h.core.idle.isWatching(id)).toBe(true)
    await expect
      .poll(
        async () =>
          (
            await h.ok<Array<{ workspaceId: string; state: string; checkedAt: string | null }>>(
              'idle.status',
            )
          ).find((s) => s.workspaceId === id),
        { timeout: 20_000 },
      )
      .toMatchObject({ state: 'disabled', checkedAt: expect.any(String) })
    const refused = await h.call('workspaces.update', { id, idleTimeoutMinutes: 30 })
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    await h.core.idle.unwatch(id)
  })
})
