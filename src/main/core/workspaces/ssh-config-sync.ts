import { sshHostAlias } from '../ssh-config/host-alias'
import type { ManagedHost } from '../ssh-config/ssh-integration'
import type { WorkspaceContext } from './workspace-context'

/**
 * Makes the managed block of the user's ssh config list exactly the workspaces that can be reached
 * now (`ssh cairn-<name>`), with their pinned host keys. Called after every change of a running
 * server (create, start, stop, delete, adopt). Hetzner workspaces log in with the installation key;
 * hosts the user brought with the key they were adopted with (written 0600 next to it, see
 * SshIntegration). A brought host whose key is gone from the keychain is left out.
 */
export async function syncSshConfig(ctx: WorkspaceContext): Promise<void> {
  const hosts: ManagedHost[] = []
  for (const record of await ctx.registry.list()) {
    if (!record.ssh) continue
    if (record.state !== 'running' && record.state !== 'stopping') continue
    const host: ManagedHost = {
      alias: sshHostAlias(record.name),
      hostName: record.ssh.host,
      port: record.ssh.port,
      user: record.ssh.user,
      hostKey: record.ssh.hostKey,
    }
    if (record.provider === 'ssh') {
      const installation = await ctx.installationKey.current()
      if (installation?.id !== record.ssh.keyId) {
        const credentials = await ctx.backup.sshKeys.get(record.ssh.keyId).catch(() => null)
        if (!credentials) {
          ctx.s.logger.warn('the SSH key of a brought host is gone; it is left out of ssh config', {
            workspace: record.id,
          })
          continue
        }
        host.identity = { keyId: record.ssh.keyId, privateKey: credentials.privateKey }
      }
    }
    hosts.push(host)
  }
  if (hosts.length === 0) {
    await ctx.sshIntegration.removeAll()
    return
  }
  const installationKey = hosts.some((h) => !h.identity)
    ? await ctx.installationKey.privateKey()
    : null
  await ctx.sshIntegration.sync(hosts, installationKey)
}
