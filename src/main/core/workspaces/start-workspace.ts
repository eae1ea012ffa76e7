import type { Job } from '../../../shared/domain/jobs'
import type { WorkspaceRecord } from '../../../shared/domain/workspace'
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
import { findRestorePoint, restoreIntoServer } from './restore-into-server'
import type { WorkspaceContext } from './workspace-context'
import { writeSecrets } from './workspace-secrets'

export interface StartRequest {
  id: string
  restorePoint: string
  location?: string | undefined
  serverType?: string | undefined
  fallbackLocations: string[]
}

/**
 * workspaces.start: a stopped workspace gets a new server (the last used type and location unless
 * told otherwise, a new host key), the chosen restore point (default latest) restored into its
 * paths, its secrets, then `running`. A failure deletes the new server and leaves the workspace
 * `stopped` with a `problem`; the restore points are only read.
 */
export async function startStart(ctx: WorkspaceContext, request: StartRequest): Promise<Job> {
  const record = await ctx.registry.require(request.id)
  if (record.provider !== 'hetzner') {
    throw new CairnError(
      'conflict',
      `${record.name} is your own SSH host: Cairn never starts or stops it.`,
    )
  }
  const startable =
    record.state === 'stopped' ||
    ((record.state === 'missing' || record.state === 'error') && record.server === null)
  if (!startable || record.pending !== null) {
    throw new CairnError(
      'conflict',
      `${record.name} is ${record.state}; only a stopped workspace can be started.`,
      { state: record.state },
    )
  }
  const location = request.location ?? record.location
  const serverType = request.serverType ?? record.serverType
  const image = record.image ?? 'ubuntu-24.04'
  if (!location || !serverType) {
    throw new CairnError(
      'invalid_input',
      `Choose a location and server type to start ${record.name}.`,
    )
  }
  await provisionPreflight(ctx, serverType, [location, ...request.fallbackLocations])
  const restorePointId = await findRestorePoint(
    ctx,
    record.id,
    request.restorePoint,
    AbortSignal.timeout(60_000),
  )
  return ctx.s.jobs.start(
    'start',
    { workspaceId: record.id, title: `Start ${record.name} (${serverType}, ${location})` },
    (job) =>
      runStart(ctx, record.id, job, {
        location,
        serverType,
        image,
        restorePointId,
        fallbackLocations: request.fallbackLocations,
      }),
  )
}

interface StartPlan {
  location: string
  serverType: string
  image: string
  restorePointId: string
  fallbackLocations: string[]
}

async function runStart(
  ctx: WorkspaceContext,
  id: string,
  job: JobContext,
  plan: StartPlan,
): Promise<void> {
  const { attempt, pending, beforeCreate, afterCreate } = trackAttempt(ctx, id)
  const record = await ctx.registry.update(id, (r) => {
    r.state = 'starting'
    r.problem = null
    r.pending = {
      kind: 'start',
      jobId: job.id,
      startedAt: new Date().toISOString(),
      step: 'preparing',
      serverId: null,
      createToken: null,
      restorePointId: plan.restorePointId,
    }
  })
  let connection: SshConnection | null = null
  let running: WorkspaceRecord
  try {
    const provisioned = await provisionServer(ctx, {
      workspaceId: id,
      workspaceName: record.name,
      serverType: plan.serverType,
      location: plan.location,
      fallbackLocations: plan.fallbackLocations,
      image: plan.image,
      signal: job.signal,
      phase: (phase) => job.progress({ phase }),
      beforeCreate,
      afterCreate,
    })
    connection = provisioned.connection
    await ctx.registry.update(id, (r) => {
      r.server = provisioned.server
      if (r.pending) r.pending.step = 'ready'
    })
    job.progress({ phase: 'restoring files' })
    const key = await ctx.installationKey.ensure()
    await restoreIntoServer(ctx, {
      sourceWorkspaceId: id,
      restorePoint: plan.restorePointId,
      paths: record.paths,
      connection,
      loginKey: key.publicKey,
      signal: job.signal,
      progress: job.progress,
    })
    await pending({ step: 'restored' })
    job.progress({ phase: 'writing secrets' })
    await writeSecrets(ctx, await ctx.registry.require(id), connection, job.signal)
    job.signal.throwIfAborted()
    running = await ctx.registry.update(id, (r) => {
      r.state = 'running'
      r.ssh = provisioned.ssh
      r.location = provisioned.server.location
      r.serverType = plan.serverType
      r.pending = null
      r.problem = null
    })
  } catch (error) {
    await connection?.close().catch(() => {})
    if (attempt.createToken !== null) job.progress({ phase: 'deleting the new server' })
    await rollBackStart(ctx, id, attempt, asCancelled(job, error))
    throw error
  }
  await settleRunning(ctx, running, connection, (phase) => job.progress({ phase }))
  ctx.s.logger.info('workspace started', {
    workspace: id,
    server: running.server?.id,
    restorePoint: plan.restorePointId,
  })
}

/**
 * After a failed or interrupted start: deletes the new server(s), and the workspace is `stopped`
 * again with a `problem` saying why; restore points are untouched. A server Cairn cannot delete
 * keeps the workspace in `error`, naming it.
 */
export async function rollBackStart(
  ctx: WorkspaceContext,
  id: string,
  attempt: Attempt,
  cause: unknown,
  interrupted = false,
): Promise<WorkspaceRecord> {
  const cleanup = await deleteAttemptServers(ctx, id, attempt)
  const reason = interrupted
    ? 'Cairn was closed while starting this workspace'
    : cause instanceof CairnError
      ? cause.code === 'cancelled'
        ? 'The start was cancelled'
        : `Starting failed: ${cause.message}`
      : 'Starting failed: an unexpected problem (see the log)'
  const code = cause instanceof CairnError ? (interrupted ? 'interrupted' : cause.code) : 'internal'
  return ctx.registry.update(id, (r) => {
    r.pending = null
    r.ssh = null
    if (cleanup.failed.length === 0) {
      r.state = 'stopped'
      r.server = null
      r.problem = {
        code,
        message: `${reason}. The new server was deleted; the restore points are unchanged. Start it again.`,
        at: new Date().toISOString(),
      }
      return
    }
    const servers = cleanup.failed.map((f) => `"${f.name}" (id ${f.id}): ${f.message}`).join('; ')
    r.state = 'error'
    r.problem = {
      code: 'server_left',
      message:
        `${reason}, and Cairn could not delete the new server ${servers}. It is billed until ` +
        'deleted: delete it in the Hetzner Cloud Console. The restore points are unchanged.',
      at: new Date().toISOString(),
    }
  })
}
