import type { WorkspaceRecord } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import { openWorkspace } from '../repo'
import { removeDeadLeases } from '../repo/workspace/stale-leases'
import { backupLeaseHolder } from './workspace-backup'
import { finishStop, problem, stopIsVerified } from './stop-workspace'
import type { WorkspaceContext } from './workspace-context'

/**
 * A stop cut off by a crash or kill, after the restart:
 * - its restore point was verified ('verified' or later): the stop is finished, in a job of kind
 *   'stop' (the server is deleted if it still exists, the workspace marked stopped). If Hetzner
 *   cannot be reached the workspace stays 'stopping' with a problem, and the next start-up (or
 *   Stop) tries again.
 * - otherwise: rolled back. The server is kept and the workspace is running again, with a problem
 *   saying the stop was interrupted and nothing was deleted. No network is needed for this.
 * So a server is never deleted without a verified restore point.
 */
export function registerStopRecovery(ctx: WorkspaceContext): void {
  ctx.registerRecovery('stop', (record) => recoverStop(ctx, record))
}

async function recoverStop(ctx: WorkspaceContext, record: WorkspaceRecord): Promise<void> {
  const pending = record.pending
  if (!pending || pending.kind !== 'stop') return
  if (!stopIsVerified(pending)) {
    await ctx.registry.update(record.id, (r) => {
      r.state = 'running'
      r.pending = null
      r.problem = problem(
        'stop_interrupted',
        'Stopping was interrupted (Cairn quit or crashed) before the new restore point was ' +
          'verified. Nothing was deleted and the server still runs; stop it again when you like.',
      )
    })
    ctx.s.logger.info('interrupted stop rolled back', { workspace: record.id, step: pending.step })
    await releaseDeadLease(ctx, record, pending.jobId)
    return
  }
  ctx.s.logger.info('finishing an interrupted stop', {
    workspace: record.id,
    restorePoint: pending.restorePointId,
  })
  const job = ctx.s.jobs.start(
    'stop',
    { workspaceId: record.id, title: `Finish stopping ${record.name} (interrupted)` },
    async (job) => {
      await ctx.registry.update(record.id, (r) => {
        if (r.pending) r.pending.jobId = job.id
      })
      await finishStop(ctx, record.id, job, { onFailure: 'keep-pending' })
    },
  )
  await ctx.s.jobs.wait(job.id)
}

/**
 * The killed backup's lease would lock the workspace until it expires (minutes), so the next stop
 * or backup would be refused for no reason. That job is dead, so its lease goes. Best effort: the
 * storage may be unreachable now, and the lease expires anyway.
 */
async function releaseDeadLease(
  ctx: WorkspaceContext,
  record: WorkspaceRecord,
  jobId: string,
): Promise<void> {
  try {
    const { repo, close } = await ctx.backup.openRepository()
    try {
      const workspace = await openWorkspace(repo, record.id)
      const holder = backupLeaseHolder('stop', jobId, record.name)
      const removed = await removeDeadLeases(workspace, (h) => h === holder)
      if (removed > 0) ctx.s.logger.info('removed the lease of an interrupted stop', { removed })
    } finally {
      close()
    }
  } catch (error) {
    if (error instanceof CairnError && error.code === 'not_found') return // nothing backed up yet
    ctx.s.logger.warn('could not remove the lease of an interrupted stop', {
      workspace: record.id,
      reason: error instanceof Error ? error.message : String(error),
    })
  }
}
