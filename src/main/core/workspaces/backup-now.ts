import type { Job } from '../../../shared/domain/jobs'
import { CairnError } from '../../../shared/errors'
import { backupWorkspace } from './workspace-backup'
import type { WorkspaceContext } from './workspace-context'

/**
 * Back up now: a restore point of a running workspace (a Hetzner server, or the user's own SSH
 * host) with its own paths and rules, trigger `manual`. The workspace keeps running.
 */
export async function startBackupNowJob(ctx: WorkspaceContext, id: string): Promise<Job> {
  const record = await ctx.registry.require(id)
  const reachable =
    record.ssh !== null &&
    (record.provider === 'ssh' ||
      (record.server !== null && (record.state === 'running' || record.state === 'error')))
  if (!reachable) {
    throw new CairnError(
      'conflict',
      record.state === 'stopped'
        ? `${record.name} is stopped: its files are already in its restore points. Start it to back up again.`
        : `${record.name} is ${record.state}; back it up once it runs.`,
    )
  }
  await ctx.backup.configuredStore().then((c) => c.close())
  await ctx.backup.masterKeys.require()
  return ctx.s.jobs.start(
    'backup',
    { workspaceId: id, title: `Back up ${record.name}` },
    async (job) => {
      // The record as it is when the job runs (paths or rules may have changed since the call).
      const current = await ctx.registry.require(id)
      await backupWorkspace(ctx, current, { trigger: 'manual', job })
    },
  )
}
