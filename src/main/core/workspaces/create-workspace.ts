import type { Job } from '../../../shared/domain/jobs'
import type { WorkspaceCreateInput, WorkspaceRecord } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import type { JobContext } from '../jobs/job-runner'
import type { SshConnection } from '../ssh/connection'
import { provisionPreflight } from './provision-preflight'
import {
  asCancelled,
  deleteAttemptServers,
  provisionServer,
  settleRunning,
  trackAttempt,
  type Attempt,
} from './provision-server'
import { newWorkspaceId } from './registry'
import { findRestorePoint, restoreIntoServer } from './restore-into-server'
import type { WorkspaceContext } from './workspace-context'
import { forgetSecrets, writeSecrets } from './workspace-secrets'

/**
 * workspaces.create: checks everything that can be checked before money is spent, registers the
 * workspace as `creating`, and returns the create job. The job records each step in the record's
 * `pending` before the step's risky action, so a crash leaves enough to roll back (see
 * provision-recovery.ts). A failure deletes the server this attempt made and removes the record;
 * only when that delete fails does the record stay, as `error` naming the server.
 */
export async function startCreate(
  ctx: WorkspaceContext,
  input: WorkspaceCreateInput,
): Promise<Job> {
  if (await ctx.registry.findByName(input.name)) {
    throw new CairnError(
      'conflict',
      `A workspace named ${input.name} already exists. Choose another name.`,
    )
  }
  await provisionPreflight(ctx, input.serverType, [input.location, ...input.fallbackLocations])
  const from = input.from
    ? {
        workspaceId: input.from.workspaceId,
        restorePointId: await findRestorePoint(
          ctx,
          input.from.workspaceId,
          input.from.restorePoint,
          AbortSignal.timeout(60_000),
        ),
      }
    : null

  const now = new Date().toISOString()
  const id = newWorkspaceId()
  const record: WorkspaceRecord = {
    id,
    name: input.name,
    provider: 'hetzner',
    state: 'creating',
    createdAt: now,
    paths: input.paths,
    excludes: input.excludes,
    includes: input.includes,
    includeCredentials: input.includeCredentials,
    idleTimeoutMinutes:
      input.idleTimeoutMinutes === undefined
        ? (await ctx.s.settings.get()).preferences.defaultIdleTimeoutMinutes
        : input.idleTimeoutMinutes,
    location: input.location,
    serverType: input.serverType,
    image: input.image,
    server: null,
    ssh: null,
    lastBackup: null,
    secretNames: [],
    problem: null,
    pending: {
      kind: 'create',
      jobId: '',
      startedAt: now,
      step: 'accepted',
      serverId: null,
      createToken: null,
      restorePointId: from?.restorePointId ?? null,
    },
  }
  await ctx.registry.add(record)
  try {
    return ctx.s.jobs.start(
      'create',
      { workspaceId: id, title: `Create ${input.name} (${input.serverType}, ${input.location})` },
      (job) => runCreate(ctx, id, input, from, job),
    )
  } catch (error) {
    await ctx.registry.remove(id)
    throw error
  }
}

async function runCreate(
  ctx: WorkspaceContext,
  id: string,
  input: WorkspaceCreateInput,
  from: { workspaceId: string; restorePointId: string } | null,
  job: JobContext,
): Promise<void> {
  const { attempt, pending, beforeCreate, afterCreate } = trackAttempt(ctx, id)
  let connection: SshConnection | null = null
  let running: WorkspaceRecord
  try {
    await pending({ jobId: job.id, step: 'preparing' })
    const provisioned = await provisionServer(ctx, {
      workspaceId: id,
      workspaceName: input.name,
      serverType: input.serverType,
      location: input.location,
      fallbackLocations: input.fallbackLocations,
      image: input.image,
      signal: job.signal,
      phase: (phase) => job.progress({ phase }),
      beforeCreate,
      afterCreate,
    })
    connection = provisioned.connection
    await ctx.registry.update(id, (r) => {
      r.server = provisioned.server
      r.location = provisioned.server.location
      if (r.pending) r.pending.step = 'ready'
    })
    if (from) {
      job.progress({ phase: 'restoring files' })
      const key = await ctx.installationKey.ensure()
      await restoreIntoServer(ctx, {
        sourceWorkspaceId: from.workspaceId,
        restorePoint: from.restorePointId,
        paths: input.paths,
        connection,
        loginKey: key.publicKey,
        signal: job.signal,
        progress: job.progress,
      })
      await pending({ step: 'restored' })
    }
    job.progress({ phase: 'writing secrets' })
    await writeSecrets(ctx, await ctx.registry.require(id), connection, job.signal)
    job.signal.throwIfAborted()
    running = await ctx.registry.update(id, (r) => {
      r.state = 'running'
      r.ssh = provisioned.ssh
      r.pending = null
      r.problem = null
    })
  } catch (error) {
    await connection?.close().catch(() => {})
    if (attempt.createToken !== null) {
      job.progress({ phase: 'deleting the server of the failed attempt' })
    }
    await rollBackCreate(ctx, id, attempt, asCancelled(job, error))
    throw error
  }
  await settleRunning(ctx, running, connection, (phase) => job.progress({ phase }))
  ctx.s.logger.info('workspace created', { workspace: id, server: running.server?.id })
}

/**
 * After a failed or interrupted create: deletes the attempt's server(s), then removes the record;
 * if a server cannot be deleted, the record stays as `error` naming it (never an orphan the user
 * does not see).
 */
export async function rollBackCreate(
  ctx: WorkspaceContext,
  id: string,
  attempt: Attempt,
  cause: unknown,
): Promise<'removed' | 'error'> {
  const cleanup = await deleteAttemptServers(ctx, id, attempt)
  if (cleanup.failed.length === 0) {
    const record = await ctx.registry.get(id)
    if (record) await forgetSecrets(ctx, record).catch(() => {})
    await ctx.registry.remove(id)
    return 'removed'
  }
  const servers = cleanup.failed.map((f) => `"${f.name}" (id ${f.id}): ${f.message}`).join('; ')
  const reason = cause instanceof CairnError ? cause.message : 'an unexpected problem'
  await ctx.registry.update(id, (r) => {
    r.state = 'error'
    r.pending = null
    r.ssh = null
    r.problem = {
      code: 'server_left',
      message:
        `Creating this workspace failed (${reason}), and Cairn could not delete its server ` +
        `${servers}. It is billed until deleted: delete this workspace in Cairn, or the server in ` +
        `the Hetzner Cloud Console.`,
      at: new Date().toISOString(),
    }
  })
  return 'error'
}
