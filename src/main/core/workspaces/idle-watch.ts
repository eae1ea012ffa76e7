import type { WorkspaceRecord } from '../../../shared/domain/workspace'
import { SshIdleProbe } from '../idle/ssh-idle-probe'
import { connectSsh } from '../ssh/connection'
import type { WorkspaceContext } from './workspace-context'

/**
 * Starts watching a running workspace for idleness over SSH (pinned host key, the key the record
 * names). The clock of "how long has it been idle" starts no earlier than the server's creation;
 * evidence on the VM decides the rest (see docs/idle-detection.md). A brought SSH host is watched
 * too, so its activity shows, but never with a timeout: Cairn never stops the user's own machine.
 */
export function watchIdle(ctx: WorkspaceContext, record: WorkspaceRecord): void {
  const ssh = record.ssh
  if (record.state !== 'running' || ssh === null) return
  const probe = new SshIdleProbe({
    keptPaths: record.paths,
    connect: async () => {
      const credentials = await ctx.backup.sshKeys.get(ssh.keyId)
      return connectSsh({
        host: ssh.host,
        port: ssh.port,
        username: ssh.user,
        privateKey: credentials.privateKey,
        ...(credentials.passphrase === undefined ? {} : { passphrase: credentials.passphrase }),
        hostKey: ssh.hostKey,
        label: `the workspace ${record.name}`,
        readyTimeoutMs: 20_000,
      })
    },
  })
  const created = record.server ? Date.parse(record.server.createdAt) : NaN
  ctx.idle.watch(record.id, {
    probe,
    timeoutMinutes: record.provider === 'ssh' ? null : record.idleTimeoutMinutes,
    startedAt: Number.isFinite(created) ? created : Date.now(),
  })
}

/** Stops watching (stop, delete, a failed start); harmless when it was not watched. */
export async function unwatchIdle(ctx: WorkspaceContext, id: string): Promise<void> {
  await ctx.idle.unwatch(id)
}

/** At start-up: every running workspace (and brought host) is watched again. */
export async function watchRunningWorkspaces(ctx: WorkspaceContext): Promise<void> {
  for (const record of await ctx.registry.list()) {
    if (record.state === 'running' && record.ssh !== null) {
      watchIdle(ctx, record)
    }
  }
}
