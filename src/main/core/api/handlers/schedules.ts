import type { Handlers } from '../dispatch'
import type { Scheduler } from '../../schedules/scheduler'
import type { WorkspaceContext } from '../../workspaces/workspace-context'

/**
 * schedules.get/set (per workspace, in schedules.json), the defaults workspaces without their
 * own values follow (schedules.getDefaults/setDefaults, also in schedules.json) and
 * schedules.status.
 */
export function schedulesHandlers(
  ctx: WorkspaceContext,
  scheduler: Scheduler,
): Pick<
  Handlers,
  | 'schedules.get'
  | 'schedules.set'
  | 'schedules.getDefaults'
  | 'schedules.setDefaults'
  | 'schedules.status'
> {
  return {
    'schedules.get': async ({ workspaceId }) => {
      await ctx.registry.require(workspaceId)
      return scheduler.effectiveOf(workspaceId, await scheduler.store.get(workspaceId))
    },
    'schedules.set': async ({ workspaceId, ...change }) => {
      await ctx.registry.require(workspaceId)
      const entry = await scheduler.store.update(workspaceId, (e) => {
        if (change.backupEveryMinutes !== undefined)
          e.backupEveryMinutes = change.backupEveryMinutes
        if (change.verifyEveryHours !== undefined) e.verifyEveryHours = change.verifyEveryHours
        if (change.applyRetention !== undefined) e.applyRetention = change.applyRetention
      })
      return scheduler.effectiveOf(workspaceId, entry)
    },
    'schedules.getDefaults': () => scheduler.scheduleDefaults(),
    'schedules.setDefaults': async (change) => {
      await scheduler.store.updateDefaults((d) => {
        if (change.backupEveryMinutes !== undefined)
          d.backupEveryMinutes = change.backupEveryMinutes
        if (change.verifyEveryHours !== undefined) d.verifyEveryHours = change.verifyEveryHours
        if (change.applyRetention !== undefined) d.applyRetention = change.applyRetention
      })
      ctx.s.logger.info('default schedule changed', change)
      return scheduler.scheduleDefaults()
    },
    'schedules.status': () => scheduler.status(),
  }
}
