import { CairnError } from '../../../shared/errors'
import { rollBackCreate } from './create-workspace'
import { watchRunningWorkspaces } from './idle-watch'
import { rollBackStart } from './start-workspace'
import type { WorkspaceContext } from './workspace-context'

/**
 * What happens after a crash or kill in the middle of a create or start (the record still has
 * `pending`): the attempt is rolled back, never resumed. The server it made is deleted (by the
 * recorded id, or by its attempt label when the id never reached the registry); a create's record
 * is removed, a start's workspace is `stopped` again with a `problem` saying so. A server that
 * cannot be deleted leaves the workspace in `error` naming it. The interrupted job itself shows
 * in the job history as interrupted. Then every running workspace is watched for idleness again.
 */
export function registerProvisionRecovery(ctx: WorkspaceContext): void {
  const interrupted = new CairnError('interrupted', 'Cairn was closed during the operation.')

  ctx.registerRecovery('create', async (record) => {
    const pending = record.pending!
    const outcome = await rollBackCreate(
      ctx,
      record.id,
      { serverId: pending.serverId ?? record.server?.id ?? null, createToken: pending.createToken },
      interrupted,
    )
    ctx.s.logger.warn('rolled back a create interrupted by a restart', {
      workspace: record.id,
      step: pending.step,
      server: pending.serverId,
      outcome,
    })
  })

  ctx.registerRecovery('start', async (record) => {
    const pending = record.pending!
    const after = await rollBackStart(
      ctx,
      record.id,
      { serverId: pending.serverId ?? record.server?.id ?? null, createToken: pending.createToken },
      interrupted,
      true,
    )
    ctx.s.logger.warn('rolled back a start interrupted by a restart', {
      workspace: record.id,
      step: pending.step,
      server: pending.serverId,
      state: after.state,
    })
  })

  ctx.onStartup('watch running workspaces', () => watchRunningWorkspaces(ctx))
}
