import type { Handlers } from '../dispatch'
import { startBackupNowJob } from '../../workspaces/backup-now'
import { registerDeleteRecovery, startDeleteJob } from '../../workspaces/delete-workspace'
import { registerInterruptedBackupCleanup } from '../../workspaces/interrupted-backups'
import { registerStopRecovery } from '../../workspaces/stop-recovery'
import { startStopJob } from '../../workspaces/stop-workspace'
import type { WorkspaceContext } from '../../workspaces/workspace-context'

/**
 * workspaces.stop (back up, verify, delete the server), workspaces.backup (back up now) and
 * workspaces.delete (servers, restore points, secrets; after the name was typed). Each returns its
 * job at once. Also registers how a stop or deletion cut off by a crash is finished or rolled
 * back at the next start, and the release of leases left by killed backups
 * (docs/workspace-stop-and-delete.md).
 */
export function workspacesStopHandlers(
  ctx: WorkspaceContext,
): Pick<Handlers, 'workspaces.stop' | 'workspaces.backup' | 'workspaces.delete'> {
  registerStopRecovery(ctx)
  registerDeleteRecovery(ctx)
  registerInterruptedBackupCleanup(ctx)
  return {
    'workspaces.stop': ({ id }) => startStopJob(ctx, id, 'user'),
    'workspaces.backup': ({ id }) => startBackupNowJob(ctx, id),
    'workspaces.delete': ({ id, confirmName }) => startDeleteJob(ctx, id, confirmName),
  }
}
