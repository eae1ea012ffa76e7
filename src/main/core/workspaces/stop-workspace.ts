import type { Job } from '../../../shared/domain/jobs'
import type { PendingOperation, WorkspaceRecord } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import { runVerify } from '../backup'
import type { JobContext } from '../jobs/job-runner'
import { openWorkspace } from '../repo'
import { deleteHetznerServer } from './server-deletion'
import { syncSshConfig } from './ssh-config-sync'
import { backupWorkspace } from './workspace-backup'
import type { WorkspaceContext } from './workspace-context'

/** Why a stop was asked for; recorded as tags of its restore point. */
export type StopReason = 'user' | 'idle' | 'quit'

/**
 * The steps of a stop, recorded in `pending.step` before each is taken. A crash before 'verified'
 * rolls back (the server stays); from 'verified' on the restore point is known good and the stop
 * is finished (see stop-recovery.ts).
 */
export const STOP_STEPS = ['backing-up', 'verifying', 'verified', 'server-deleted'] as const
export type StopStep = (typeof STOP_STEPS)[number]

/** Whether a stop cut off at this step has a verified restore point (so it may delete). */
export function stopIsVerified(pending: PendingOperation): boolean {
  return (
    pending.kind === 'stop' &&
    pending.restorePointId !== null &&
    (pending.step === 'verified' || pending.step === 'server-deleted')
  )
}

/**
 * How much of the new restore point's data a stop reads back. Every tree is always read (a
 * restore cannot even start without them, and they are small). Data blobs: all of them up to this
 * many bytes of content, above it a random share that reads about as much, never under
 * MIN_VERIFY_SHARE. The data was authenticated as it was written; the read-back exists to catch
 * what that cannot see (a storage that lost or cut writes, a wrong key), and a random sample of
 * a few thousand blobs finds such systematic damage almost surely without downloading the whole
 * workspace on every stop. Anyone wanting more runs a full verify of the restore point.
 */
export const VERIFY_FULL_UP_TO_BYTES = 64 * 1024 * 1024
export const MIN_VERIFY_SHARE = 0.02

export function verifyShareFor(contentBytes: number): number {
  if (contentBytes <= VERIFY_FULL_UP_TO_BYTES) return 1
  return Math.max(MIN_VERIFY_SHARE, VERIFY_FULL_UP_TO_BYTES / contentBytes)
}

/** Starts a stop job (back up, verify, delete the server) for a Hetzner workspace. */
export async function startStopJob(
  ctx: WorkspaceContext,
  id: string,
  reason: StopReason = 'user',
): Promise<Job> {
  const record = await ctx.registry.require(id)
  assertStoppable(record)
  const resume = record.pending?.kind === 'stop' && stopIsVerified(record.pending)
  if (!resume) {
    // What can be checked without the network fails the call, not a job a moment later.
    await ctx.backup.configuredStore().then((c) => c.close())
    await ctx.backup.masterKeys.require()
  }
  await ctx.hetzner()
  return ctx.s.jobs.start(
    'stop',
    {
      workspaceId: id,
      title: resume ? `Finish stopping ${record.name}` : `Stop ${record.name}`,
    },
    (job) => (resume ? finishStopJob(ctx, id, job) : runStop(ctx, id, job, reason)),
  )
}

/**
 * Stops a workspace and resolves when the stop finished; rejects with the job's error when it
 * failed. A stop already running for the workspace is waited for instead of refused (the idle
 * monitor and the user may ask at the same time).
 */
export async function stopWorkspaceAndWait(
  ctx: WorkspaceContext,
  id: string,
  reason: StopReason,
): Promise<void> {
  const running = ctx.s.jobs
    .list()
    .find((j) => j.workspaceId === id && j.kind === 'stop' && j.state === 'running')
  const job = running ?? (await startStopJob(ctx, id, reason))
  const done = await ctx.s.jobs.wait(job.id)
  if (done.state === 'succeeded') return
  const error = done.error ?? { code: 'cancelled' as const, message: 'The stop was cancelled.' }
  throw new CairnError(error.code, error.message, error.details)
}

function assertStoppable(record: WorkspaceRecord): void {
  if (record.provider === 'ssh') {
    throw new CairnError(
      'conflict',
      `${record.name} is your own SSH host: Cairn never stops, starts or deletes that machine. ` +
        'Use Back up now to keep its files in a restore point.',
    )
  }
  if (record.pending?.kind === 'stop' && record.state === 'stopping') return
  if (record.state === 'stopped') {
    throw new CairnError('conflict', `${record.name} is already stopped.`)
  }
  const ok = record.state === 'running' || record.state === 'error'
  if (!ok || !record.server || !record.ssh) {
    throw new CairnError(
      'conflict',
      record.state === 'error' || record.state === 'missing'
        ? `${record.name} has no running server to stop (${record.state}). Reconcile the workspace list.`
        : `${record.name} is ${record.state}; wait until that has finished, then stop it.`,
    )
  }
}

async function runStop(
  ctx: WorkspaceContext,
  id: string,
  job: JobContext,
  reason: StopReason,
): Promise<void> {
  const started = await ctx.registry.update(id, (r) => {
    assertStoppable(r)
    r.state = 'stopping'
    r.problem = null
    r.pending = {
      kind: 'stop',
      jobId: job.id,
      startedAt: new Date().toISOString(),
      step: 'backing-up',
      serverId: r.server?.id ?? null,
      createToken: null,
      restorePointId: null,
    }
  })
  let restorePointId: string
  let phase: 'backup' | 'verify' = 'backup'
  try {
    job.progress({ phase: 'backing up' })
    const tags = reason === 'user' ? ['stop'] : ['stop', reason]
    const { restorePoint } = await backupWorkspace(ctx, started, {
      trigger: 'stop',
      tags,
      job,
      phasePrefix: 'backing up: ',
    })
    restorePointId = restorePoint.id
    phase = 'verify'
    await setStep(ctx, id, 'verifying', null)
    await verifyRestorePoint(ctx, id, restorePoint.id, restorePoint.size, job)
    await setStep(ctx, id, 'verified', restorePoint.id)
  } catch (error) {
    if (!(error instanceof CairnError)) ctx.s.logger.error('stop failed', error, { workspace: id })
    await rollBack(ctx, id, error, job.signal.aborted, phase)
    const why = failureMessage(error, job.signal.aborted, phase)
    throw new CairnError(
      error instanceof CairnError && error.code !== 'internal' ? error.code : 'storage_failed',
      `${started.name} was not stopped: ${why} The server still runs; nothing was deleted.`,
      error instanceof CairnError ? error.details : undefined,
    )
  }
  ctx.s.logger.info('stop: restore point verified, deleting the server', {
    workspace: id,
    restorePoint: restorePointId,
  })
  await finishStop(ctx, id, job)
}

/** The job of a stop resumed at 'verified' (after a crash, or a delete that failed at startup). */
async function finishStopJob(ctx: WorkspaceContext, id: string, job: JobContext): Promise<void> {
  await ctx.registry.update(id, (r) => {
    if (r.pending) r.pending.jobId = job.id
  })
  await finishStop(ctx, id, job)
}

/**
 * From a verified restore point on: deletes the server and records the workspace as stopped. A
 * cancel no longer stops this part (it takes seconds, and a half-finished stop helps nobody). If
 * Hetzner still refuses after the retries, the stop is given up: the server runs on and the
 * workspace is running again with a problem (the next stop backs up afresh, so nothing the user
 * does meanwhile is lost).
 */
export async function finishStop(
  ctx: WorkspaceContext,
  id: string,
  job: Pick<JobContext, 'progress'> | null,
  options: { onFailure?: 'give-up' | 'keep-pending' } = {},
): Promise<void> {
  const record = await ctx.registry.require(id)
  const serverId = record.server?.id ?? record.pending?.serverId ?? null
  job?.progress({ phase: 'deleting server' })
  try {
    if (serverId !== null) await deleteHetznerServer(ctx, serverId)
  } catch (error) {
    const why = error instanceof CairnError ? error.message : 'Hetzner did not answer as expected.'
    const point = record.pending?.restorePointId?.slice(0, 8) ?? 'the new restore point'
    if (options.onFailure === 'keep-pending') {
      await ctx.registry.update(id, (r) => {
        r.problem = problem(
          'stop_unfinished',
          `Stopping was interrupted after restore point ${point} was verified, and Cairn could not ` +
            `delete the server yet (${why}). It tries again when Cairn starts; choose Stop to try now.`,
        )
      })
    } else {
      await ctx.registry.update(id, (r) => {
        r.state = 'running'
        r.pending = null
        r.problem = problem(
          'server_not_deleted',
          `Restore point ${point} is saved and verified, but Hetzner did not delete the server ` +
            `(${why}). The server still runs and is billed; choose Stop again.`,
        )
      })
    }
    throw new CairnError(
      error instanceof CairnError ? error.code : 'remote_error',
      `${record.name}'s server was not deleted: ${sentence(why)} Its restore point is saved and verified; the server still runs.`,
    )
  }
  await ctx.registry.update(id, (r) => {
    if (r.pending) r.pending.step = 'server-deleted'
  })
  await ctx.registry.update(id, (r) => {
    r.state = 'stopped'
    r.server = null
    r.ssh = null
    r.pending = null
    r.problem = null
  })
  await ctx.idle.unwatch(id)
  await syncSshConfig(ctx).catch((error: unknown) =>
    ctx.s.logger.warn('could not update the ssh config after a stop', {
      workspace: id,
      reason: error instanceof Error ? error.message : String(error),
    }),
  )
  ctx.s.logger.info('workspace stopped', { workspace: id, server: serverId })
}

async function verifyRestorePoint(
  ctx: WorkspaceContext,
  id: string,
  snapshotId: string,
  contentBytes: number,
  job: JobContext,
): Promise<void> {
  const { repo, close } = await ctx.backup.openRepository(job.signal)
  try {
    const workspace = await openWorkspace(repo, id, { signal: job.signal })
    const result = await runVerify({
      workspace,
      snapshotId,
      share: verifyShareFor(contentBytes),
      signal: job.signal,
      onProgress: (p) => job.progress({ ...p, phase: `verifying: ${p.phase}` }),
    })
    ctx.s.logger.info('stop: verify finished', {
      workspace: id,
      restorePoint: snapshotId,
      ok: result.ok,
      dataBlobsChecked: result.dataBlobsChecked,
      dataBlobs: result.dataBlobs,
      problems: result.problems.length,
    })
    if (!result.ok) {
      const first = result.problems[0]?.message ?? 'damaged objects'
      throw new CairnError(
        'storage_failed',
        `the new restore point did not read back correctly (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}; first: ${first}). Check the storage, then stop again.`,
        { reason: 'damaged', problems: result.problems.length },
      )
    }
  } finally {
    close()
  }
}

async function setStep(
  ctx: WorkspaceContext,
  id: string,
  step: StopStep,
  restorePointId: string | null,
): Promise<void> {
  await ctx.registry.update(id, (r) => {
    if (!r.pending || r.pending.kind !== 'stop') return
    r.pending.step = step
    if (restorePointId !== null) r.pending.restorePointId = restorePointId
  })
}

async function rollBack(
  ctx: WorkspaceContext,
  id: string,
  error: unknown,
  cancelled: boolean,
  phase: 'backup' | 'verify',
): Promise<void> {
  await ctx.registry
    .update(id, (r) => {
      r.state = 'running'
      r.pending = null
      r.problem = problem(
        cancelled ? 'stop_cancelled' : 'stop_failed',
        `The last stop did not finish: ${failureMessage(error, cancelled, phase)} The server still runs; ` +
          'nothing was deleted.',
      )
    })
    .catch((e: unknown) => ctx.s.logger.error('could not roll back a failed stop', e))
}

function failureMessage(error: unknown, cancelled: boolean, phase: 'backup' | 'verify'): string {
  if (cancelled || (error instanceof CairnError && error.code === 'cancelled')) {
    return 'it was cancelled.'
  }
  const message =
    error instanceof CairnError && error.code !== 'internal'
      ? error.message
      : 'Cairn hit an unexpected problem (the details are in its log).'
  const text = message.startsWith('the new restore point')
    ? message
    : phase === 'backup'
      ? `the backup failed: ${message}`
      : `checking the new restore point failed: ${message}`
  return sentence(text)
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`
}

export function problem(code: string, message: string): WorkspaceRecord['problem'] {
  return { code, message, at: new Date().toISOString() }
}
