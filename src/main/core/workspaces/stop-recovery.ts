import type { WorkspaceRecord } from '../../../shared/domain/workspace'
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
