import { CairnError } from '../../../shared/errors'
import { openWorkspace } from '../repo'
import { removeDeadLeases } from '../repo/workspace/stale-leases'
import { backupLeaseHolder } from './workspace-backup'
import type { WorkspaceContext } from './workspace-context'

/** A backup's lease expires this long after its last renewal (run-backup); older ones are moot. */
const RECENT_MS = 5 * 60_000

/**
 * A Back up now (or backup.start) job killed with the app leaves the workspace's lease behind,
 * and until it expires every stop and backup of that workspace is refused. At start-up the
 * leases of backup jobs this start found interrupted are removed: they name the dead job exactly.
 * (Interrupted stops are handled by their recovery, see stop-recovery.ts.) Best effort.
 */
export function registerInterruptedBackupCleanup(ctx: WorkspaceContext): void {
  ctx.onStartup('release the leases of interrupted backups', async () => {
    const since = Date.now() - RECENT_MS
    const dead = ctx.s.jobs
      .list()
      .filter(
        (j) =>
          j.kind === 'backup' &&
          j.error?.code === 'interrupted' &&
          j.workspaceId !== null &&
          Date.parse(j.finishedAt ?? '') >= since,
      )
    if (dead.length === 0) return
    const { repo, close } = await ctx.backup.openRepository()
    try {
      for (const job of dead) {
        const workspaceId = job.workspaceId!
        const record = await ctx.registry.get(workspaceId)
        const holders = new Set([`backup job ${job.id}`])
        if (record) holders.add(backupLeaseHolder('manual', job.id, record.name))
        try {
          const workspace = await openWorkspace(repo, workspaceId)
          const removed = await removeDeadLeases(workspace, (h) => holders.has(h))
          if (removed > 0) {
            ctx.s.logger.info('removed the lease of an interrupted backup', {
              workspace: workspaceId,
              removed,
            })
          }
        } catch (error) {
          if (error instanceof CairnError && error.code === 'not_found') continue
          throw error
        }
      }
    } finally {
      close()
    }
  })
}
