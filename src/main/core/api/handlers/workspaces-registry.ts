import { CairnError } from '../../../../shared/errors'
import type { Handlers } from '../dispatch'
import { adoptOrphan, probeOrphanHostKey } from '../../workspaces/adopt-orphan'
import { checkBackupRules } from '../../workspaces/backup-rules'
import { adoptSshHost } from '../../workspaces/byo-host'
import { importDiscovered } from '../../workspaces/discover'
import { probeHostKey } from '../../workspaces/host-key-probe'
import { listView } from '../../workspaces/list-view'
import {
  openTerminal,
  openVsCode,
  sshCommand,
  systemLauncher,
  type Launcher,
} from '../../workspaces/open-workspace'
import { deleteOrphan } from '../../workspaces/orphans'
import { reconcile } from '../../workspaces/reconcile'
import type { WorkspaceContext } from '../../workspaces/workspace-context'

export interface RegistryHandlerOptions {
  /** Starts VS Code and terminals; tests pass one that records instead of opening windows. */
  launcher?: Launcher
}

const reconcileScheduled = new WeakSet<WorkspaceContext>()

/**
 * The registry's view of the world (docs/workspaces.md): the list with cost and storage, reconcile
 * with Hetzner and the repository, orphans and discovered workspaces, hosts the user brings,
 * settings of a workspace, and opening it in the user's own tools.
 */
export function workspacesRegistryHandlers(
  ctx: WorkspaceContext,
  options: RegistryHandlerOptions = {},
): Pick<
  Handlers,
  | 'workspaces.list'
  | 'workspaces.reconcile'
  | 'workspaces.update'
  | 'workspaces.probeHostKey'
  | 'workspaces.adoptSsh'
  | 'workspaces.adoptOrphan'
  | 'workspaces.probeOrphanHostKey'
  | 'workspaces.deleteOrphan'
  | 'workspaces.importDiscovered'
  | 'workspaces.openVsCode'
  | 'workspaces.openTerminal'
  | 'workspaces.sshCommand'
> {
  const launcher = options.launcher ?? systemLauncher()
  if (!reconcileScheduled.has(ctx)) {
    reconcileScheduled.add(ctx)
    // In the background: watching running workspaces (a later start-up task) must not wait for
    // Hetzner or the storage. Calls to workspaces.reconcile meanwhile join this one.
    ctx.onStartup('reconcile', async () => {
      void reconcile(ctx).catch((error) =>
        ctx.s.logger.error('reconcile at start-up failed', error),
      )
    })
  }
  return {
    'workspaces.list': () => listView(ctx),
    'workspaces.reconcile': () => reconcile(ctx),

    'workspaces.update': async (input) => {
      checkBackupRules([...(input.excludes ?? []), ...(input.includes ?? [])])
      const current = await ctx.registry.require(input.id)
      if (current.provider === 'ssh' && input.idleTimeoutMinutes != null) {
        throw new CairnError(
          'invalid_input',
          `${current.name} is your own SSH host: Cairn shows its activity but never stops it, so ` +
            'it has no idle timeout.',
        )
      }
      const updated = await ctx.registry.update(input.id, (r) => {
        if (input.idleTimeoutMinutes !== undefined) r.idleTimeoutMinutes = input.idleTimeoutMinutes
        if (input.excludes !== undefined) r.excludes = input.excludes
        if (input.includes !== undefined) r.includes = input.includes
        if (input.includeCredentials !== undefined) r.includeCredentials = input.includeCredentials
      })
      // A watched workspace's new timeout counts at once (and may bring its stop nearer).
      if (input.idleTimeoutMinutes !== undefined && ctx.idle.isWatching(input.id)) {
        ctx.idle.setTimeoutMinutes(input.id, input.idleTimeoutMinutes)
      }
      return ctx.view(updated)
    },

    'workspaces.probeHostKey': (input, call) =>
      probeHostKey(input, call.signal ? { signal: call.signal } : {}),
    'workspaces.adoptSsh': (input, call) => adoptSshHost(ctx, input, call.signal),
    'workspaces.adoptOrphan': (input, call) => adoptOrphan(ctx, input, call.signal),
    'workspaces.probeOrphanHostKey': ({ serverId }, call) =>
      probeOrphanHostKey(ctx, serverId, call.signal),
    'workspaces.deleteOrphan': (input, call) => deleteOrphan(ctx, input, call.signal),
    'workspaces.importDiscovered': (input, call) => importDiscovered(ctx, input, call.signal),

    'workspaces.openVsCode': async ({ id }) => openVsCode(await ctx.registry.require(id), launcher),
    'workspaces.openTerminal': async ({ id }) =>
      openTerminal(await ctx.registry.require(id), launcher),
    'workspaces.sshCommand': async ({ id }) => sshCommand(await ctx.registry.require(id)),
  }
}
