import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { hostname } from 'node:os'
import type { Job } from '../../../shared/domain/jobs'
import type { WorkspaceRecord } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import { labelSelector } from '../hetzner/labels'
import type { JobContext } from '../jobs/job-runner'
import { cairnServerLabels } from '../provision/labels'
import { deleteWorkspaceData, takeDeletionLease } from '../repo/workspace/delete-workspace'
import { secretAccounts } from '../secrets/secret-store'
import { deleteHetznerServer } from './server-deletion'
import { syncSshConfig } from './ssh-config-sync'
import { problem } from './stop-workspace'
import type { WorkspaceContext } from './workspace-context'

/**
 * The steps of a deletion, recorded in `pending.step` as each begins. Once restore points are
 * being removed the deletion only goes forward: a resumed one skips the lease (its own lease from
 * before the crash would block it for minutes).
 */
type DeleteStep = 'deleting-servers' | 'deleting-restore-points' | 'deleting-secrets'

/**
 * Starts deleting a workspace for good: its Hetzner servers (never a BYO machine), every object
 * of it in the repository, its keychain secrets, its ssh config entry, and its registry entry.
 * `confirmName` must be the workspace's name; otherwise nothing is touched.
 */
export async function startDeleteJob(
  ctx: WorkspaceContext,
  id: string,
  confirmName: string,
): Promise<Job> {
  const record = await ctx.registry.require(id)
  if (confirmName.trim() !== record.name) {
    throw new CairnError(
      'invalid_input',
      `To delete this workspace and all its restore points, type its name exactly: ${record.name}. Nothing was deleted.`,
      { field: 'confirmName' },
    )
  }
  await ctx.backup.configuredStore().then((c) => c.close())
  await ctx.backup.masterKeys.require()
  if (record.provider === 'hetzner') await ctx.hetzner()
  return ctx.s.jobs.start(
    'delete',
    { workspaceId: id, title: `Delete ${record.name} and its restore points` },
    (job) => runDelete(ctx, id, job),
  )
}

/** A deletion cut off by a crash is finished after the restart (the user confirmed it already). */
export function registerDeleteRecovery(ctx: WorkspaceContext): void {
  ctx.registerRecovery('delete', async (record) => {
    if (record.pending?.kind !== 'delete') return
    ctx.s.logger.info('finishing an interrupted deletion', { workspace: record.id })
    const job = ctx.s.jobs.start(
      'delete',
      { workspaceId: record.id, title: `Finish deleting ${record.name} (interrupted)` },
      (job) => runDelete(ctx, record.id, job),
    )
    await ctx.s.jobs.wait(job.id)
  })
}

async function runDelete(ctx: WorkspaceContext, id: string, job: JobContext): Promise<void> {
  const before = await ctx.registry.require(id)
  const resumedStep = before.pending?.kind === 'delete' ? before.pending.step : null
  const record = await ctx.registry.update(id, (r) => {
    r.state = 'deleting'
    r.problem = null
    r.pending = {
      kind: 'delete',
      jobId: job.id,
      startedAt: r.pending?.kind === 'delete' ? r.pending.startedAt : new Date().toISOString(),
      step: resumedStep ?? 'deleting-servers',
      serverId: r.server?.id ?? r.pending?.serverId ?? null,
      createToken: r.pending?.createToken ?? null,
      restorePointId: null,
    }
  })
  // Until the first server or object is removed, a failure gives the workspace back as it was.
  let removing = false
  try {
    const alreadyStarted =
      resumedStep === 'deleting-restore-points' || resumedStep === 'deleting-secrets'
    const { repo, close } = await ctx.backup.openRepository(job.signal)
    try {
      // First, before anything is removed: a backup running elsewhere refuses the deletion.
      const lease = alreadyStarted
        ? null
        : await takeDeletionLease(repo, id, {
            holder: `delete job ${job.id}`,
            hostname: hostname(),
            signal: job.signal,
          })
      try {
        removing = true
        await ctx.idle.unwatch(id)
        if (record.provider === 'hetzner') {
          job.progress({ phase: 'deleting server' })
          await deleteServers(ctx, record, job.signal)
          await ctx.registry.update(id, (r) => {
            r.server = null
            r.ssh = null
          })
          await syncSshConfig(ctx).catch(() => {})
        }
        job.progress({ phase: 'deleting restore points', filesDone: 0 })
        await deleteWorkspaceData(repo, id, {
          lease,
          signal: job.signal,
          beforeDeleting: () => setStep(ctx, id, 'deleting-restore-points'),
          onDeleted: (n) => job.progress({ filesDone: n }),
        })
        // Its cached index files (encrypted, but of data that no longer exists) go too.
        await rm(join(ctx.s.dataDir, 'cache', repo.id, id), { recursive: true, force: true })
      } catch (error) {
        await lease?.release().catch(() => {})
        throw error
      }
    } finally {
      close()
    }
    ctx.storage.delete(id)

    job.progress({ phase: 'deleting secrets' })
    await setStep(ctx, id, 'deleting-secrets')
    for (const name of record.secretNames) {
      await ctx.s.secrets.delete(secretAccounts.workspaceSecret(id, name))
    }

    await ctx.registry.remove(id)
    await syncSshConfig(ctx).catch((error: unknown) =>
      ctx.s.logger.warn('could not update the ssh config after a deletion', {
        workspace: id,
        reason: error instanceof Error ? error.message : String(error),
      }),
    )
    ctx.s.logger.info('workspace deleted', { workspace: id })
  } catch (error) {
    if (!(error instanceof CairnError))
      ctx.s.logger.error('delete failed', error, { workspace: id })
    const why =
      job.signal.aborted || (error instanceof CairnError && error.code === 'cancelled')
        ? 'it was cancelled'
        : error instanceof CairnError && error.code !== 'internal'
          ? error.message
          : 'Cairn hit an unexpected problem (the details are in its log)'
    const reason = /[.!?]$/.test(why) ? why : `${why}.`
    if (!removing) {
      await ctx.registry
        .update(id, (r) => {
          r.state = before.state
          r.pending = before.pending
          r.problem = problem(
            'delete_refused',
            `${r.name} was not deleted: ${reason} Nothing was removed.`,
          )
        })
        .catch(() => {})
      throw new CairnError(
        error instanceof CairnError && error.code !== 'internal' ? error.code : 'internal',
        `${record.name} was not deleted: ${reason} Nothing was removed.`,
      )
    }
    // The deletion stays pending: the next start-up or Delete finishes it.
    await ctx.registry
      .update(id, (r) => {
        r.problem = problem(
          'delete_unfinished',
          `Deleting ${r.name} did not finish: ${reason} Choose Delete again to finish; Cairn also tries again when it starts.`,
        )
      })
      .catch(() => {})
    throw new CairnError(
      error instanceof CairnError && error.code !== 'internal' ? error.code : 'internal',
      `Deleting ${record.name} did not finish: ${reason} Choose Delete again to finish it.`,
    )
  }
}

/**
 * Every server of the workspace: the one in the record, the one an interrupted create or start
 * made, and any other server labelled with this workspace's id (a lost create answer). BYO hosts
 * never get here.
 */
async function deleteServers(
  ctx: WorkspaceContext,
  record: WorkspaceRecord,
  signal: AbortSignal,
): Promise<void> {
  const ids = new Set<number>()
  if (record.server) ids.add(record.server.id)
  if (record.pending?.serverId != null) ids.add(record.pending.serverId)
  const hetzner = await ctx.hetzner()
  const labelled = await hetzner.servers.list(
    { labelSelector: labelSelector(cairnServerLabels(record.id)) },
    signal,
  )
  for (const server of labelled) ids.add(server.id)
  for (const serverId of ids) await deleteHetznerServer(ctx, serverId, signal)
}

async function setStep(ctx: WorkspaceContext, id: string, step: DeleteStep): Promise<void> {
  await ctx.registry.update(id, (r) => {
    if (r.pending?.kind === 'delete') r.pending.step = step
  })
}
