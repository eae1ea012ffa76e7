import type { Handlers } from '../dispatch'
import type { Scheduler } from '../../schedules/scheduler'
import type { WorkspaceContext } from '../../workspaces/workspace-context'

/** schedules.get/set (per workspace, in schedules.json) and schedules.status. */
export function schedulesHandlers(
  ctx: WorkspaceContext,
  scheduler: Scheduler,
): Pick<Handlers, 'schedules.get' | 'schedules.set' | 'schedules.status'> {
  return {
    'schedules.get': async ({ workspaceId }) => {
      await ctx.registry.require(workspaceId)
      return scheduler.settingsOf(workspaceId, await scheduler.store.get(workspaceId))
    },
    'schedules.set': async ({ workspaceId, ...change }) => {
      await ctx.registry.require(workspaceId)
      const entry = await scheduler.store.update(workspaceId, (e) => {
        if (change.backupEveryMinutes !== undefined)
          e.backupEveryMinutes = change.backupEveryMinutes
        if (change.verifyEveryHours !== undefined) e.verifyEveryHours = change.verifyEveryHours
        if (change.applyRetention !== undefined) e.applyRetention = change.applyRetention
      })
      return scheduler.settingsOf(workspaceId, entry)
    },
    'schedules.status': () => scheduler.status(),
  }
}
