import { execFile } from 'node:child_process'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SshKeyView } from '../../../src/shared/domain/backup'
import type { WorkspaceRecord } from '../../../src/shared/domain/workspace'
import { generateHostKey } from '../../../src/main/core/provision/host-keys'
import { newWorkspaceId } from '../../../src/main/core/workspaces/registry'
import { syncSshConfig } from '../../../src/main/core/workspaces/ssh-config-sync'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'
import { workspaceRecord } from '../../support/workspace-record'

const run = promisify(execFile)

/**
 * The managed block lists running Hetzner workspaces (installation key) and brought hosts (their
 * own key) side by side; OpenSSH reads it as intended, and key files go when no host uses them.
 */
describe('ssh config sync with Hetzner workspaces and brought hosts', () => {
  let h: WorkspaceHarness
  let byoKey: SshKeyView
  const hetznerId = newWorkspaceId()
  const byoId = newWorkspaceId()

  const base = (id: string, name: string, over: Partial<WorkspaceRecord>): WorkspaceRecord =>
    workspaceRecord({
      id,
      name,
      state: 'running',
      location: null,
      serverType: null,
      image: null,
      ...over,
    })
  const ssh = (host: string, user: string, keyId: string) => ({
    host,
    port: 2222,
    user,
    hostKey: generateHostKey().publicKey,
    hostKeyFingerprint: 'SHA256:x',
    keyId,
  })
  /** What OpenSSH makes of the config for `alias` (ssh -G: parse only, no connection). */
  const resolved = async (alias: string) => {
    const { stdout } = await run('ssh', ['-G', '-F', h.sshConfigPath, alias])
    const map = new Map<string, string[]>()
    for (const line of stdout.split('\n')) {
      const [k, ...v] = line.split(' ')
      if (k) map.set(k, [...(map.get(k) ?? []), v.join(' ')])
    }
    return map
  }

  beforeAll(async () => {
    h = await startWorkspaceHarness()
    const installation = await h.core.workspaces.installationKey.ensure()
    byoKey = await h.ok<SshKeyView>('sshKeys.generate', { name: 'brought' })
    await mkdir(dirname(h.sshConfigPath), { recursive: true })
    await writeFile(h.sshConfigPath, 'Host *\n  User someone-else\n')
    await h.core.workspaces.registry.add(
      base(hetznerId, 'cloud-box', { ssh: ssh('127.0.0.20', 'dev', installation.id) }),
    )
    await h.core.workspaces.registry.add(
      base(byoId, 'home-box', {
        provider: 'ssh',
        idleTimeoutMinutes: null,
        ssh: ssh('build_host.lan', 'Alice.B', byoKey.id),
      }),
    )
  })
  afterAll(async () => {
    await h?.close({ remove: true })
  })

  it('lists both, each with its own identity, above the user lines, as OpenSSH reads it', async () => {
    await syncSshConfig(h.core.workspaces)
    const text = await readFile(h.sshConfigPath, 'utf8')
    expect(text.indexOf('Host cairn-cloud-box')).toBeLessThan(text.indexOf('User someone-else'))
    expect(text.endsWith('Host *\n  User someone-else\n')).toBe(true)

    const sshDir = join(h.dataDir, 'ssh')
    const cloud = await resolved('cairn-cloud-box')
    expect(cloud.get('hostname')).toEqual(['127.0.0.20'])
    expect(cloud.get('user')).toEqual(['dev'])
    expect(cloud.get('identityfile')).toEqual([join(sshDir, 'id_ed25519')])
    expect(cloud.get('hostkeyalias')).toEqual(['cairn-cloud-box'])
    expect(cloud.get('stricthostkeychecking')).toEqual(['true'])

    const home = await resolved('cairn-home-box')
    expect(home.get('hostname')).toEqual(['build_host.lan'])
    expect(home.get('user')).toEqual(['Alice.B'])
    expect(home.get('port')).toEqual(['2222'])
    expect(home.get('identityfile')).toEqual([join(sshDir, `identity-${byoKey.id}`)])
    expect((await stat(join(sshDir, `identity-${byoKey.id}`))).mode & 0o777).toBe(0o600)
    const known = await readFile(join(sshDir, 'known_hosts'), 'utf8')
    expect(known).toMatch(/^cairn-cloud-box ssh-ed25519 /m)
    expect(known).toMatch(/^cairn-home-box ssh-ed25519 /m)
  })

  it('drops a stopped workspace and the key files nobody uses, and removes the block at the end', async () => {
    const sshDir = join(h.dataDir, 'ssh')
    await h.core.workspaces.registry.update(hetznerId, (r) => {
      r.state = 'stopped'
      r.ssh = null
    })
    await syncSshConfig(h.core.workspaces)
    let text = await readFile(h.sshConfigPath, 'utf8')
    expect(text).not.toContain('cairn-cloud-box')
    expect(text).toContain('Host cairn-home-box')
    await expect(stat(join(sshDir, 'id_ed25519'))).rejects.toMatchObject({ code: 'ENOENT' })

    await h.core.workspaces.registry.remove(byoId)
    await syncSshConfig(h.core.workspaces)
    text = await readFile(h.sshConfigPath, 'utf8')
    expect(text).toBe('Host *\n  User someone-else\n')
    await expect(stat(join(sshDir, `identity-${byoKey.id}`))).rejects.toMatchObject({
      code: 'ENOENT',
    })
  })
})
