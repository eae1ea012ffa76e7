import { hostname } from 'node:os'
import type { RetentionView } from '../../../../shared/domain/schedules'
import { CairnError } from '../../../../shared/errors'
import type { Handlers } from '../dispatch'
import { MemoryIndex, openWorkspace, SnapshotReader } from '../../repo'
import { listPins, pinRestorePoint, unpinRestorePoint } from '../../repo/workspace/pins'
import { applyRetention } from '../../retention/apply-retention'
import { mergePolicy } from '../../retention/policy'
import type { Scheduler } from '../../schedules/scheduler'
import type { WorkspaceContext } from '../../workspaces/workspace-context'

/**
 * retention.get/set (per workspace, kept in schedules.json), restorePoints.forget (the policy now,
 * or a dry run) and pins (objects in the repository, so every desktop sees them).
 */
export function retentionHandlers(
  ctx: WorkspaceContext,
  scheduler: Scheduler,
): Pick<
  Handlers,
  | 'retention.get'
  | 'retention.set'
  | 'retention.getDefaults'
  | 'retention.setDefaults'
  | 'restorePoints.forget'
  | 'restorePoints.pin'
  | 'restorePoints.unpin'
  | 'restorePoints.pins'
> {
  const view = async (workspaceId: string): Promise<RetentionView> => {
    const entry = await scheduler.store.get(workspaceId)
    const custom = entry.retention !== null && entry.retention !== undefined
    const defaults = await scheduler.retentionDefaults()
    return { workspaceId, policy: mergePolicy(defaults, entry.retention), custom, defaults }
  }
  const withWorkspace = async <T>(
    workspaceId: string,
    signal: AbortSignal | undefined,
    use: (
      workspace: Awaited<ReturnType<typeof openWorkspace>>,
      store: Parameters<Scheduler['refreshStorage']>[1],
    ) => Promise<T>,
  ): Promise<T> => {
    const { repo, close } = await ctx.backup.openRepository(signal)
    try {
      const workspace = await openWorkspace(repo, workspaceId, signal ? { signal } : {})
      return await use(workspace, repo.store)
    } finally {
      close()
    }
  }

  return {
    'retention.get': ({ workspaceId }) => view(workspaceId),
    'retention.set': async ({ workspaceId, policy }) => {
      await scheduler.store.update(workspaceId, (entry) => {
        entry.retention = policy === null ? null : { ...(entry.retention ?? {}), ...policy }
      })
      return view(workspaceId)
    },
    'retention.getDefaults': () => scheduler.retentionDefaults(),
    'retention.setDefaults': async ({ policy }) => {
      await scheduler.store.updateDefaults((d) => {
        d.retention = policy === null ? null : { ...(d.retention ?? {}), ...policy }
      })
      ctx.s.logger.info('default retention policy changed', { policy })
      return scheduler.retentionDefaults()
    },

    'restorePoints.forget': async ({ workspaceId, dryRun, policy }, call) => {
      if (!dryRun) {
        const busy = ctx.s.jobs
          .list()
          .find(
            (j) => j.workspaceId === workspaceId && j.state === 'running' && j.kind !== 'verify',
          )
        if (busy) {
          throw new CairnError(
            'conflict',
            `Workspace ${workspaceId} is busy with ${busy.title}; forget when it has finished.`,
            { jobId: busy.id },
          )
        }
      }
      const entry = await scheduler.store.get(workspaceId)
      const defaults = await scheduler.retentionDefaults()
      const effective = policy
        ? mergePolicy(defaults, policy)
        : mergePolicy(defaults, entry.retention)
      return withWorkspace(workspaceId, call.signal, async (workspace, store) => {
        const result = await applyRetention(workspace, {
          policy: effective,
          dryRun,
          holder: `forget of workspace ${workspaceId} (asked through the API)`,
          ...(call.signal ? { signal: call.signal } : {}),
        })
        ctx.s.logger.info('forget finished', {
          workspace: workspaceId,
          dryRun,
          kept: result.kept,
          removed: result.removed,
        })
        if (!dryRun && result.removed > 0) {
          scheduler.publishRemoved(workspaceId, result)
          await scheduler.refreshStorage(workspaceId, store, call.signal)
        }
        return result
      })
    },

    'restorePoints.pin': ({ workspaceId, restorePoint }, call) =>
      withWorkspace(workspaceId, call.signal, async (workspace) => {
        const reader = new SnapshotReader(workspace, new MemoryIndex(), {
          ...(call.signal ? { signal: call.signal } : {}),
        })
        const { id } = await reader.loadSnapshot(restorePoint)
        const pin = await pinRestorePoint(workspace, id, {
          hostname: hostname(),
          ...(call.signal ? { signal: call.signal } : {}),
        })
        // Every window of this core (and the tray) shows pins; they follow this event.
        ctx.s.events.emit('restorePoints.pinsChanged', { workspaceId })
        return pin
      }),

    'restorePoints.unpin': ({ workspaceId, restorePoint }, call) =>
      withWorkspace(workspaceId, call.signal, async (workspace) => {
        // A pin may outlive its restore point (deleted elsewhere): match pins by prefix first.
        const { pins, unreadable } = await listPins(workspace, call.signal)
        const ids = [...pins.map((p) => p.restorePointId), ...unreadable]
        let matches = ids.filter((id) => restorePoint !== 'latest' && id.startsWith(restorePoint))
        if (matches.length === 0) {
          const reader = new SnapshotReader(workspace, new MemoryIndex(), {
            ...(call.signal ? { signal: call.signal } : {}),
          })
          matches = [(await reader.loadSnapshot(restorePoint)).id]
        }
        if (matches.length > 1) {
          throw new CairnError(
            'invalid_input',
            `${restorePoint} matches ${matches.length} pinned restore points; give more digits.`,
          )
        }
        await unpinRestorePoint(workspace, matches[0]!, call.signal)
        ctx.s.events.emit('restorePoints.pinsChanged', { workspaceId })
        return { restorePointId: matches[0]! }
      }),

    'restorePoints.pins': ({ workspaceId }, call) =>
      withWorkspace(workspaceId, call.signal, async (workspace) => {
        const { pins } = await listPins(workspace, call.signal)
        return pins
      }),
  }
}
