import { hostname } from 'node:os'
import type { Handlers } from '../dispatch'
import { openWorkspace, pruneWorkspace } from '../../repo'
import type { CoreServices } from '../../services'
import { backupContext } from './backup-context'

/**
 * repository.prune: a mutating job under the workspace's lease (a dry run is read-only but still
 * a job, so its report lands in jobs.result like the real one).
 */
export function pruneHandlers(s: CoreServices): Pick<Handlers, 'repository.prune'> {
  const context = backupContext(s)
  return {
    'repository.prune': async (input) => {
      await context.configuredStore().then((c) => c.close())
      await context.masterKeys.require()
      return s.jobs.start(
        'prune',
        {
          workspaceId: input.workspaceId,
          title: input.dryRun
            ? `See what a prune of ${input.workspaceId} would free`
            : `Prune the backups of ${input.workspaceId}`,
          mutating: !input.dryRun,
        },
        async (job) => {
          const { repo, close } = await context.openRepository(job.signal)
          try {
            const workspace = await openWorkspace(repo, input.workspaceId, { signal: job.signal })
            const result = await pruneWorkspace(workspace, {
              holder: `prune job ${job.id}`,
              hostname: hostname(),
              dryRun: input.dryRun,
              ...(input.maxUnusedShare !== undefined
                ? { maxUnusedShare: input.maxUnusedShare }
                : {}),
              cache: context.indexCache(workspace),
              signal: job.signal,
              onPhase: (phase) => job.progress({ phase }),
            })
            context.setResult(job.id, { kind: 'prune', ...result })
            s.logger.info('prune finished', {
              workspace: input.workspaceId,
              dryRun: result.dryRun,
              bytesFreed: result.bytesFreed,
              packsRemoved: result.removedPacks.length,
              packsRepacked: result.repackedPacks.length,
            })
          } finally {
            close()
          }
        },
      )
    },
  }
}
