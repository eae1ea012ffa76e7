import { sshHostAlias } from '../ssh-config/host-alias'
import type { ManagedHost } from '../ssh-config/ssh-integration'
import type { WorkspaceContext } from './workspace-context'

/**
 * Makes the managed block of the user's ssh config list exactly the workspaces that can be reached
 * now (`ssh cairn-<name>`), with their pinned host keys. Called after every change of a running
 * server (create, start, stop, delete, adopt). Hetzner workspaces log in with the installation key.
 */
export async function syncSshConfig(ctx: WorkspaceContext): Promise<void> {
  const hosts: ManagedHost[] = []
  for (const record of await ctx.registry.list()) {
    if (record.provider !== 'hetzner' || !record.ssh) continue
    if (record.state !== 'running' && record.state !== 'stopping') continue
    hosts.push({
      alias: sshHostAlias(record.name),
      hostName: record.ssh.host,
      port: record.ssh.port,
      user: record.ssh.user,
      hostKey: record.ssh.hostKey,
    })
  }
  if (hosts.length === 0) {
    await ctx.sshIntegration.removeAll()
    return
  }
  await ctx.sshIntegration.sync(hosts, await ctx.installationKey.privateKey())
}
