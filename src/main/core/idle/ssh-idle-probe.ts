import { CairnError } from '../../../shared/errors'
import type { SshConnection } from '../ssh/connection'
import type { IdleProbe } from './idle-probe'
import { parseProbeOutput } from './probe-parse'
import type { ProbeSample } from './probe-sample'
import { probeCommand } from './probe-script'

export interface SshIdleProbeOptions {
  /** Opens a connection to the workspace (pinned host key); called again after a failure. */
  connect: () => Promise<SshConnection>
  /** Absolute paths on the VM whose changes count as work (the workspace's kept paths). */
  keptPaths: readonly string[]
  agentDirs?: readonly string[]
  /** A probe taking longer fails (and counts as a failed probe, never as idleness). */
  timeoutMs?: number
  /**
   * Added to the VM clock the probe reports: tests use it to let time pass on the VM without
   * waiting (the evidence keeps its real timestamps, so it all looks older).
   */
  clockOffsetMs?: number
}

/**
 * The probe over SSH. It keeps one connection open between probes (one login a minute would
 * litter the VM's auth log and cost a key exchange each time) and opens a new one after a failure.
 */
export class SshIdleProbe implements IdleProbe {
  private connection: SshConnection | null = null
  private connecting: Promise<SshConnection> | null = null
  private clockOffsetMs: number

  constructor(private readonly options: SshIdleProbeOptions) {
    this.clockOffsetMs = options.clockOffsetMs ?? 0
  }

  /** Test seam: see `clockOffsetMs`. */
  setClockOffset(ms: number): void {
    this.clockOffsetMs = ms
  }

  async run(lookbackSeconds: number, signal?: AbortSignal): Promise<ProbeSample> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000)
    const abort = signal ? AbortSignal.any([signal, timeout]) : timeout
    try {
      const connection = await this.connect()
      const result = await connection.run(
        probeCommand({
          lookbackSeconds,
          keptPaths: this.options.keptPaths,
          ...(this.options.agentDirs ? { agentDirs: this.options.agentDirs } : {}),
        }),
        { signal: abort, maxOutputBytes: 8 * 1024 * 1024 },
      )
      if (result.code !== 0) {
        const why = result.stderr.toString('utf8').trim().split('\n').slice(-1)[0] ?? ''
        throw new CairnError(
          'remote_error',
          `The idle check failed on ${connection.label} (exit ${result.code ?? result.signal})` +
            (why ? `: ${why.slice(0, 200)}` : '.'),
        )
      }
      const sample = parseProbeOutput(result.stdout.toString('utf8'), lookbackSeconds)
      if (this.clockOffsetMs !== 0) {
        sample.now += this.clockOffsetMs
        sample.horizon += this.clockOffsetMs
      }
      return sample
    } catch (error) {
      await this.drop()
      if (timeout.aborted && !signal?.aborted) {
        throw new CairnError('unreachable', 'The idle check did not finish in time.')
      }
      throw error
    }
  }

  async close(): Promise<void> {
    await this.drop()
  }

  private async connect(): Promise<SshConnection> {
    if (this.connection && !this.connection.isClosed) return this.connection
    this.connecting ??= this.options.connect().finally(() => (this.connecting = null))
    this.connection = await this.connecting
    return this.connection
  }

  private async drop(): Promise<void> {
    const connection = this.connection
    this.connection = null
    await connection?.close().catch(() => {})
  }
}

/**
 * The client address and port under which the VM sees `connection`, so the idle monitor can tell
 * Cairn's own work (a backup reading every file) from the user's. One short command.
 */
export async function ownClientOf(
  connection: SshConnection,
): Promise<{ ip: string; port: number; sessionPid?: number } | null> {
  // $PPID of the command's shell is the connection's sshd session process.
  const result = await connection.run('echo "$PPID $SSH_CONNECTION"', { maxOutputBytes: 4096 })
  const [ppid, ip, port] = result.stdout.toString('utf8').trim().split(' ')
  const number = Number(port)
  const sessionPid = Number(ppid)
  if (!ip || !Number.isInteger(number) || number <= 0) return null
  return Number.isInteger(sessionPid) && sessionPid > 1
    ? { ip, port: number, sessionPid }
    : { ip, port: number }
}
