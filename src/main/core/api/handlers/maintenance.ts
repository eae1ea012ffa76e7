import { CairnError } from '../../../../shared/errors'
import type { Handlers } from '../dispatch'
import { runInJobScope } from '../../jobs/job-scope'
import { checkRepository } from '../../maintenance/check-repository'
import { repairIndex } from '../../maintenance/repair-index'
import { openWorkspace } from '../../repo'
import type { CoreServices } from '../../services'
import { backupContext } from './backup-context'

/**
 * repository.check (a read-only job: one workspace or all) and repository.repairIndex (a mutating
 * job under the workspace's lease). Their reports are the jobs' results (jobs.result).
 */
export function maintenanceHandlers(
  s: CoreServices,
): Pick<Handlers, 'repository.check' | 'repository.repairIndex'> {
  const context = backupContext(s)
  return {
    'repository.check': async (input) => {
      await context.configuredStore().then((c) => c.close())
      await context.masterKeys.require()
      const scope = input.workspaceId ?? 'every workspace'
      return s.jobs.start(
        'check',
        { workspaceId: input.workspaceId ?? null, title: `Check the backups of ${scope}` },
        async (job) => {
          const { repo, close } = await context.openRepository(job.signal)
          try {
            const report = await checkRepository(repo, {
              ...(input.workspaceId !== undefined ? { workspaceId: input.workspaceId } : {}),
              readData: input.readData,
              signal: job.signal,
              // Each workspace's requests count for that workspace in the cost ledger.
              around: (workspaceId, check) =>
                runInJobScope({ id: job.id, kind: 'check', workspaceId }, check),
              onProgress: (p) =>
                job.progress({
                  phase: p.phase,
                  filesDone: p.done,
                  filesTotal: p.total,
                }),
            })
            context.setResult(job.id, { kind: 'check', ...report })
            const problems = report.workspaces.reduce((n, w) => n + w.problems.length, 0)
            s.logger.info('check finished', { scope, ok: report.ok, problems })
            if (!report.ok) {
              const damaged = report.workspaces.filter((w) => !w.ok).map((w) => w.workspaceId)
              throw new CairnError(
                'storage_failed',
                `The check found ${problems} problem${problems === 1 ? '' : 's'} in ${damaged.join(', ')}. The job's result lists the restore points and files affected.`,
                { reason: 'damaged', problems, workspaces: damaged },
              )
            }
          } finally {
            close()
          }
        },
      )
    },

    'repository.repairIndex': async (input) => {
      await context.configuredStore().then((c) => c.close())
      await context.masterKeys.require()
      return s.jobs.start(
        'check',
        {
          workspaceId: input.workspaceId,
          title: `Rebuild the index of ${input.workspaceId} from its packs`,
          mutating: true,
        },
        async (job) => {
          const { repo, close } = await context.openRepository(job.signal)
          try {
            job.progress({ phase: 'repairing the index' })
            const workspace = await openWorkspace(repo, input.workspaceId, { signal: job.signal })
            const result = await repairIndex(workspace, {
              holder: `index repair job ${job.id}`,
              signal: job.signal,
            })
            context.setResult(job.id, result)
            s.logger.info('index repair finished', {
              workspace: input.workspaceId,
              indexed: result.indexed.length,
              failed: result.failed.length,
            })
          } finally {
            close()
          }
        },
      )
    },
  }
}
