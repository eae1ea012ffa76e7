import { randomBytes } from 'node:crypto'
import type {
  PendingOperation,
  WorkspaceRecord,
  WorkspaceServer,
  WorkspaceSsh,
} from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import type { HetznerClient } from '../hetzner/hetzner-client'
import { labelSelector } from '../hetzner/labels'
import { generateHostKey } from '../provision/host-keys'
import { cairnServerLabels, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../provision/labels'
import { waitUntilReady, type ReadinessProgress } from '../provision/readiness'
import { swapBytesFor } from '../provision/swap'
import { buildUserData, WORKSPACE_USER } from '../provision/user-data'
import type { SshConnection } from '../ssh/connection'
import { watchIdle } from './idle-watch'
import { findOffers } from './server-offer'
import { syncSshConfig } from './ssh-config-sync'
import type { WorkspaceContext } from './workspace-context'

/**
 * Set on every server a create or start makes: a random value the registry records (pending
 * .createToken) before the create is sent, so a rollback after a crash finds the server even when
 * its id never reached the registry.
 */
export const ATTEMPT_LABEL = 'cairn-attempt'

export interface ProvisionRequest {
  workspaceId: string
  workspaceName: string
  serverType: string
  location: string
  fallbackLocations: readonly string[]
  /** An image name, e.g. ubuntu-24.04 (resolved for the server type's architecture). */
  image: string
  signal: AbortSignal
  /** A phase people understand ("creating the server", "waiting for SSH", ...). */
  phase: (phase: string) => void
  /** Called with the attempt token before the create is sent: record it first. */
  beforeCreate: (createToken: string) => Promise<void>
  /** Called with the server's id as soon as Hetzner answered: record it first. */
  afterCreate: (serverId: number) => Promise<void>
}

export interface ProvisionedServer {
  server: WorkspaceServer
  ssh: WorkspaceSsh
  /** Logged in as dev with the pinned host key; the caller closes it. */
  connection: SshConnection
}

const READINESS_PHASES: Record<ReadinessProgress['phase'], string> = {
  server: 'waiting for the server to start',
  ssh: 'waiting for SSH',
  'cloud-init': 'waiting for the server to finish setting up',
}

/**
 * Buys and prepares one workspace server: the installation key registered with Hetzner (so root
 * gets a key and Hetzner mails no root password), a fresh host key injected through cloud-init
 * and pinned, the server created once, then ready (running, SSH answers with the pinned key,
 * cloud-init finished). Whatever fails after the create leaves the server to the caller's rollback
 * (found by `afterCreate`'s id or the attempt label).
 */
export async function provisionServer(
  ctx: WorkspaceContext,
  request: ProvisionRequest,
): Promise<ProvisionedServer> {
  const { signal } = request
  const hetzner = await ctx.hetzner()
  request.phase('preparing keys')
  const key = await ctx.installationKey.ensure()
  const privateKey = await ctx.installationKey.privateKey()
  const hetznerKey = await hetzner.sshKeys.ensure(
    `cairn-installation-${key.id}`.slice(0, 64),
    key.publicKey,
    { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
    signal,
  )
  const offers = await findOffers(
    hetzner,
    request.serverType,
    [request.location, ...request.fallbackLocations],
    signal,
  )
  const type = offers[0]!.type
  const image = await hetzner.images.resolve(request.image, type.architecture, signal)
  const hostKey = generateHostKey()
  const userData = buildUserData({
    workspaceId: request.workspaceId,
    authorizedKeys: [key.publicKey],
    hostKey,
    swapBytes: swapBytesFor(type.memoryGb, type.diskGb),
  })

  const token = randomBytes(8).toString('hex')
  await request.beforeCreate(token)
  request.phase('creating the server')
  const created = await hetzner.servers.create(
    {
      name: `${request.workspaceName}-${randomBytes(2).toString('hex')}`,
      serverType: request.serverType,
      image: image.id,
      location: request.location,
      userData,
      sshKeys: [hetznerKey.id],
      labels: { ...cairnServerLabels(request.workspaceId), [ATTEMPT_LABEL]: token },
    },
    {
      fallbackLocations: [...request.fallbackLocations],
      signal,
      onLocationRefused: (refusal) =>
        request.phase(`no capacity in ${refusal.location}, trying the next location`),
    },
  )
  await request.afterCreate(created.server.id)

  const ready = await waitUntilReady({
    hetzner,
    serverId: created.server.id,
    actions: created.actions,
    port: ctx.vmSshPort,
    username: WORKSPACE_USER,
    privateKey,
    hostKey: hostKey.publicKey,
    ...(ctx.options.readinessTimeouts ? { timeouts: ctx.options.readinessTimeouts } : {}),
    ...(ctx.options.pollIntervalMs ? { pollIntervalMs: ctx.options.pollIntervalMs } : {}),
    keepConnection: true,
    signal,
    onProgress: (p) => {
      if (p.state === 'waiting') request.phase(READINESS_PHASES[p.phase])
    },
  })
  const connection = ready.connection!
  if (ready.cloudInit.status !== 'done') {
    // The login works, so the workspace is usable; what cloud-init missed is in its log.
    ctx.s.logger.warn('cloud-init reported a problem', {
      workspace: request.workspaceId,
      server: ready.server.id,
      status: ready.cloudInit.status,
    })
  }
  const offer = offers.find((o) => o.location === created.location) ?? offers[0]!
  return {
    server: {
      id: ready.server.id,
      name: ready.server.name,
      location: created.location,
      serverType: request.serverType,
      image: request.image,
      createdAt: ready.server.created,
      priceHourly: offer.priceHourly,
      priceMonthly: offer.priceMonthly,
    },
    ssh: {
      host: ready.host,
      port: ready.port,
      user: WORKSPACE_USER,
      hostKey: hostKey.publicKey,
      hostKeyFingerprint: hostKey.fingerprint,
      keyId: key.id,
    },
    connection,
  }
}

/** The server one create or start attempt made, as far as it is known (for its rollback). */
export interface Attempt {
  serverId: number | null
  createToken: string | null
}

/**
 * Tracks one create or start attempt: the `beforeCreate`/`afterCreate` hooks for provisionServer
 * record the create token and the server id in the workspace's `pending` BEFORE and right after
 * Hetzner creates it, so a crash leaves enough behind to delete the server. `attempt` holds the
 * same for this process's own rollback.
 */
export function trackAttempt(ctx: WorkspaceContext, workspaceId: string) {
  const attempt: Attempt = { serverId: null, createToken: null }
  const pending = (change: Partial<PendingOperation>) =>
    ctx.registry.update(workspaceId, (r) => {
      if (r.pending) Object.assign(r.pending, change)
    })
  return {
    attempt,
    pending,
    beforeCreate: async (createToken: string) => {
      attempt.createToken = createToken
      await pending({ step: 'creating-server', createToken })
    },
    afterCreate: async (serverId: number) => {
      attempt.serverId = serverId
      await pending({ step: 'server-created', serverId })
    },
  }
}

/**
 * A created or started workspace is running: closes the setup connection, lists it in the ssh
 * config and watches it for idleness. Best effort: none of this rolls the workspace back.
 */
export async function settleRunning(
  ctx: WorkspaceContext,
  running: WorkspaceRecord,
  connection: SshConnection,
  progress: (phase: string) => void,
): Promise<void> {
  await connection.close().catch(() => {})
  progress('updating ~/.ssh/config')
  await syncSshConfig(ctx).catch((error: unknown) =>
    ctx.s.logger.warn('updating the ssh config failed', { reason: String(error) }),
  )
  try {
    watchIdle(ctx, running)
  } catch (error) {
    ctx.s.logger.warn('watching for idleness failed', { reason: String(error) })
  }
}

export interface AttemptCleanup {
  /** Servers of the attempt that are gone now. */
  deleted: number[]
  /** Servers Cairn could not delete: the user must see them. */
  failed: Array<{ id: number; name: string; message: string }>
}

/**
 * Deletes every server one create or start attempt made: the one whose id was recorded, and any
 * carrying its attempt label (a create whose answer was lost). Never the signal of the failed job:
 * a cancelled job must still clean up.
 */
export async function deleteAttemptServers(
  ctx: WorkspaceContext,
  workspaceId: string,
  attempt: Attempt,
): Promise<AttemptCleanup> {
  const result: AttemptCleanup = { deleted: [], failed: [] }
  if (attempt.serverId === null && attempt.createToken === null) return result
  let hetzner: HetznerClient
  try {
    hetzner = await ctx.hetzner()
  } catch (error) {
    if (attempt.serverId !== null) {
      result.failed.push({ id: attempt.serverId, name: `${attempt.serverId}`, message: why(error) })
    }
    return result
  }
  const signal = AbortSignal.timeout(5 * 60_000)
  const servers = new Map<number, string>()
  try {
    if (attempt.createToken !== null) {
      const selector = labelSelector({
        ...cairnServerLabels(workspaceId),
        [ATTEMPT_LABEL]: attempt.createToken,
      })
      for (const s of await hetzner.servers.list({ labelSelector: selector }, signal)) {
        servers.set(s.id, s.name)
      }
    }
    if (attempt.serverId !== null && !servers.has(attempt.serverId)) {
      const found = await hetzner.servers.find(attempt.serverId, signal)
      if (found) servers.set(found.id, found.name)
    }
  } catch (error) {
    const id = attempt.serverId ?? 0
    result.failed.push({
      id,
      name: attempt.serverId === null ? 'unknown' : `${id}`,
      message: why(error),
    })
    return result
  }
  for (const [id, name] of servers) {
    try {
      const action = await hetzner.servers.delete(id, signal)
      if (action) {
        await hetzner.actions.waitFor([action], {
          signal,
          timeoutMs: 3 * 60_000,
          pollIntervalMs: ctx.options.pollIntervalMs ?? 1_000,
        })
      }
      result.deleted.push(id)
      ctx.s.logger.info('deleted the server of a failed attempt', {
        workspace: workspaceId,
        server: id,
      })
    } catch (error) {
      result.failed.push({ id, name, message: why(error) })
      ctx.s.logger.warn('could not delete the server of a failed attempt', {
        workspace: workspaceId,
        server: id,
        reason: why(error),
      })
    }
  }
  return result
}

/** The error a job failed with, as a cancel when the user cancelled it (aborts carry no code). */
export function asCancelled(job: { signal: AbortSignal }, error: unknown): unknown {
  if (!job.signal.aborted || (error instanceof CairnError && error.code === 'cancelled'))
    return error
  return new CairnError('cancelled', 'The operation was cancelled.')
}

function why(error: unknown): string {
  return error instanceof CairnError ? error.message : 'an unexpected error (see the log)'
}
