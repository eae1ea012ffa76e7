import { CairnError } from '../../../shared/errors'
import { actionFailed } from '../hetzner/actions'
import type { HetznerClient } from '../hetzner/hetzner-client'
import type { HetznerAction, HetznerServer } from '../hetzner/types'
import { sleep } from '../net/retry'
import { connectSsh, type SshConnection } from '../ssh/connection'
import { BOOT_FINISHED_MARKER, WORKSPACE_USER } from './user-data'

/**
 * What "ready" waits for, in order: Hetzner reports the server `running`; SSH answers with the
 * pinned host key and lets the workspace user in; cloud-init has finished (its boot-finished
 * marker exists).
 */
export type ReadinessPhase = 'server' | 'ssh' | 'cloud-init'

export interface ReadinessProgress {
  phase: ReadinessPhase
  state: 'waiting' | 'done'
  /** What is happening now, for people: "initializing", "connection refused", ... */
  detail: string
  /** Since the wait began. */
  elapsedMs: number
}

export interface ReadinessOptions {
  hetzner: HetznerClient
  serverId: number
  /** The create answer's actions: one ending in error stops the wait with Hetzner's reason. */
  actions?: HetznerAction[]
  /** SSH port; 22 on Hetzner (the local cloud's VMs may use another). */
  port?: number
  username?: string
  /** The installation's private key (OpenSSH). */
  privateKey: string
  /** The pinned host key, `ssh-ed25519 AAAA...`. */
  hostKey: string
  /** Per phase, ms. Defaults: server 5 min, ssh 3 min, cloud-init 10 min. */
  timeouts?: Partial<Record<ReadinessPhase, number>>
  /** Between polls; default 2 s. */
  pollIntervalMs?: number
  /** Connect timeout of one SSH attempt; default 15 s (capped by what is left of the phase). */
  sshAttemptTimeoutMs?: number
  onProgress?: (progress: ReadinessProgress) => void
  signal?: AbortSignal
  /** Return the SSH connection (the caller closes it) instead of closing it. */
  keepConnection?: boolean
}

export interface ReadyServer {
  server: HetznerServer
  /** The address SSH answered on. */
  host: string
  port: number
  /** cloud-init's own verdict once finished: `done`, or `error` with what it said. */
  cloudInit: { status: string; detail: string | null }
  /** When `keepConnection` was set. */
  connection?: SshConnection
}

const DEFAULT_TIMEOUTS: Record<ReadinessPhase, number> = {
  server: 5 * 60_000,
  ssh: 3 * 60_000,
  'cloud-init': 10 * 60_000,
}

const PHASE_NAMES: Record<ReadinessPhase, string> = {
  server: 'waiting for Hetzner to report the server running',
  ssh: 'waiting for SSH to answer with the pinned host key',
  'cloud-init': 'waiting for cloud-init to finish',
}

/**
 * Waits until a freshly created server is ready for Cairn, reporting each phase. A phase that runs
 * past its timeout fails with an error naming it (`details.phase`); a failed create action, a
 * server that vanished or a host key other than the pinned one fail at once.
 */
export async function waitUntilReady(options: ReadinessOptions): Promise<ReadyServer> {
  const started = Date.now()
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts }
  const interval = options.pollIntervalMs ?? 2_000
  const port = options.port ?? 22
  let lastReported = ''
  const report = (phase: ReadinessPhase, state: 'waiting' | 'done', detail: string) => {
    const key = `${phase}|${state}|${detail}`
    if (key === lastReported) return
    lastReported = key
    options.onProgress?.({ phase, state, detail, elapsedMs: Date.now() - started })
  }
  const ctx: PhaseContext = { options, interval, report, timeouts }

  const server = await waitForRunning(ctx)
  const host = server.ipv4 ?? server.ipv6
  if (host === null) {
    throw new CairnError('remote_error', `The server "${server.name}" has no public IP address.`, {
      phase: 'ssh',
      serverId: server.id,
    })
  }
  const connection = await waitForSsh(ctx, server, host, port)
  try {
    const cloudInit = await waitForCloudInit(ctx, server, connection)
    if (options.keepConnection) return { server, host, port, cloudInit, connection }
    await connection.close()
    return { server, host, port, cloudInit }
  } catch (error) {
    await connection.close()
    throw error
  }
}

interface PhaseContext {
  options: ReadinessOptions
  interval: number
  timeouts: Record<ReadinessPhase, number>
  report: (phase: ReadinessPhase, state: 'waiting' | 'done', detail: string) => void
}

function phaseTimeout(
  phase: ReadinessPhase,
  timeoutMs: number,
  what: string,
  code: 'remote_error' | 'unreachable' | 'unauthorized',
  details: Record<string, unknown>,
): CairnError {
  return new CairnError(
    code,
    `Gave up ${PHASE_NAMES[phase]} after ${Math.round(timeoutMs / 1000)} s (phase: ${phase}): ${what}`,
    { phase, timeoutMs, ...details },
  )
}

async function waitForRunning(ctx: PhaseContext): Promise<HetznerServer> {
  const { options, interval, report } = ctx
  const deadline = Date.now() + ctx.timeouts.server
  let actions = options.actions ?? []
  for (;;) {
    const failed = actions.find((a) => a.status === 'error')
    if (failed) {
      const error = actionFailed(failed)
      throw new CairnError(error.code, error.message, { ...error.details, phase: 'server' })
    }
    const server = await options.hetzner.servers.find(options.serverId, options.signal)
    if (server === null) {
      throw new CairnError(
        'not_found',
        `The server ${options.serverId} was deleted while Cairn waited for it to start.`,
        { phase: 'server', serverId: options.serverId },
      )
    }
    if (server.status === 'running') {
      report('server', 'done', 'running')
      return server
    }
    if (
      server.status === 'off' &&
      actions.length > 0 &&
      actions.every((a) => a.status !== 'running')
    ) {
      throw new CairnError(
        'remote_error',
        `The server "${server.name}" did not start (it is off).`,
        {
          phase: 'server',
          serverId: server.id,
        },
      )
    }
    report('server', 'waiting', server.status)
    if (Date.now() + interval > deadline) {
      throw phaseTimeout(
        'server',
        ctx.timeouts.server,
        `Hetzner still reports "${server.name}" as ${server.status}. The server exists and is billed; Cairn can delete it or you can check it in the Hetzner Cloud Console.`,
        'remote_error',
        { serverId: server.id, lastStatus: server.status },
      )
    }
    await sleep(interval, options.signal)
    actions = await Promise.all(
      actions.map((a) =>
        a.status === 'running' ? options.hetzner.actions.get(a.id, options.signal) : a,
      ),
    )
  }
}

async function waitForSsh(
  ctx: PhaseContext,
  server: HetznerServer,
  host: string,
  port: number,
): Promise<SshConnection> {
  const { options, interval, report } = ctx
  const deadline = Date.now() + ctx.timeouts.ssh
  const label = port === 22 ? host : `${host}:${port}`
  let lastError: CairnError | undefined
  report('ssh', 'waiting', `connecting to ${label}`)
  for (;;) {
    const left = deadline - Date.now()
    try {
      const connection = await connectSsh({
        host,
        port,
        username: options.username ?? WORKSPACE_USER,
        privateKey: options.privateKey,
        hostKey: options.hostKey,
        label: `the server "${server.name}" (${label})`,
        readyTimeoutMs: Math.max(1_000, Math.min(options.sshAttemptTimeoutMs ?? 15_000, left)),
        signal: options.signal,
      })
      report('ssh', 'done', `logged in as ${options.username ?? WORKSPACE_USER}`)
      return connection
    } catch (error) {
      if (!(error instanceof CairnError)) throw error
      // A different host key is never a matter of waiting: Cairn generated this server's key.
      if (error.code === 'host_key_mismatch' || error.code === 'cancelled') {
        throw new CairnError(error.code, error.message, { ...error.details, phase: 'ssh' })
      }
      lastError = error
      report(
        'ssh',
        'waiting',
        error.code === 'unauthorized' ? 'login refused (yet)' : error.message,
      )
    }
    if (Date.now() + interval > deadline) {
      throw phaseTimeout(
        'ssh',
        ctx.timeouts.ssh,
        lastError?.message ?? 'no answer',
        lastError?.code === 'unauthorized' ? 'unauthorized' : 'unreachable',
        { serverId: server.id },
      )
    }
    await sleep(interval, options.signal)
  }
}

// One poll: is the marker there, and if so what does cloud-init itself say? Works with any POSIX
// shell as the login shell; `cloud-init status` only prints, it does not wait.
const CLOUD_INIT_PROBE =
  `if [ -f ${BOOT_FINISHED_MARKER} ]; then echo finished; ` +
  `(cloud-init status 2>/dev/null || true) | sed -n 's/^status: *//p' | head -n 1; ` +
  `else echo waiting; fi`

async function waitForCloudInit(
  ctx: PhaseContext,
  server: HetznerServer,
  connection: SshConnection,
): Promise<{ status: string; detail: string | null }> {
  const { options, interval, report } = ctx
  const deadline = Date.now() + ctx.timeouts['cloud-init']
  report('cloud-init', 'waiting', 'running')
  for (;;) {
    const result = await connection.run(CLOUD_INIT_PROBE, {
      signal: options.signal,
      maxOutputBytes: 4096,
    })
    const [state, status] = result.stdout.toString('utf8').trim().split('\n')
    if (state === 'finished') {
      const verdict = status?.trim() || 'done'
      let detail: string | null = null
      if (verdict !== 'done') {
        const long = await connection.run('cloud-init status --long 2>&1 | head -n 20', {
          signal: options.signal,
          maxOutputBytes: 8192,
        })
        detail = long.stdout.toString('utf8').trim() || null
      }
      report('cloud-init', 'done', verdict)
      return { status: verdict, detail }
    }
    if (Date.now() + interval > deadline) {
      throw phaseTimeout(
        'cloud-init',
        ctx.timeouts['cloud-init'],
        `cloud-init on "${server.name}" has not finished. Its log is /var/log/cloud-init-output.log on the server.`,
        'remote_error',
        { serverId: server.id },
      )
    }
    await sleep(interval, options.signal)
  }
}
