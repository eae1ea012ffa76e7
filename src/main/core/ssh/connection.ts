import { Client, type ClientChannel, type ConnectConfig } from 'ssh2'
import type { Readable, Writable } from 'node:stream'
import { CairnError } from '../../../shared/errors'
import {
  fingerprintOf,
  hostKeyAlgorithmsFor,
  hostKeyMatches,
  parsePinnedHostKey,
  type PinnedHostKey,
} from './host-key'

export interface SshConnectOptions {
  host: string
  port?: number
  username: string
  /** OpenSSH or PEM private key (ed25519 preferred). */
  privateKey: Buffer | string
  passphrase?: string
  /** The pinned host key: `ssh-ed25519 AAAA...` (a known_hosts line works too) or `SHA256:...`. */
  hostKey: string
  /** How the host is named in messages; defaults to `host` (or `host:port`). */
  label?: string
  /** Time allowed for TCP connect, key exchange and authentication. */
  readyTimeoutMs?: number
  /** A keepalive every this many ms; after `keepaliveCountMax` unanswered ones the link is dead. */
  keepaliveIntervalMs?: number
  keepaliveCountMax?: number
  signal?: AbortSignal
  /** Cipher preference; the default puts AES-GCM first (fastest with AES-NI, see docs). */
  ciphers?: string[]
}

export interface ExitStatus {
  /** The remote exit code, or null when the process died from a signal or the link dropped. */
  code: number | null
  signal: string | null
}

export interface RemoteProcess {
  readonly stdin: Writable
  readonly stdout: Readable
  readonly stderr: Readable
  /** Settles once the channel is closed and every byte of stdout and stderr has arrived. */
  readonly exit: Promise<ExitStatus>
  /** Asks the remote process to stop and closes its channel. */
  kill(): void
}

export interface ExecOptions {
  signal?: AbortSignal
}

export interface RunResult extends ExitStatus {
  stdout: Buffer
  stderr: Buffer
}

export const DEFAULT_CIPHERS = [
  'aes128-gcm@openssh.com',
  'chacha20-poly1305@openssh.com',
  'aes256-gcm@openssh.com',
  'aes128-ctr',
  'aes256-ctr',
]

/**
 * Opens one SSH connection with a pinned host key. The host key is checked during key exchange,
 * before Cairn offers its key, so a wrong server never even learns which user Cairn logs in as.
 */
export async function connectSsh(options: SshConnectOptions): Promise<SshConnection> {
  const pinned = parsePinnedHostKey(options.hostKey)
  const port = options.port ?? 22
  const label = options.label ?? (port === 22 ? options.host : `${options.host}:${port}`)
  options.signal?.throwIfAborted()

  const client = new Client()
  let presentedFingerprint: string | undefined
  let hostKeyRejected = false
  const serverHostKey = hostKeyAlgorithmsFor(pinned)
  const config: ConnectConfig = {
    host: options.host,
    port,
    username: options.username,
    privateKey: options.privateKey,
    readyTimeout: options.readyTimeoutMs ?? 20_000,
    keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
    keepaliveCountMax: options.keepaliveCountMax ?? 3,
    // Never consult an agent or try passwords: the pinned key is the only credential.
    tryKeyboard: false,
    algorithms: {
      cipher: (options.ciphers ?? DEFAULT_CIPHERS) as never,
      ...(serverHostKey ? { serverHostKey: serverHostKey as never } : {}),
    },
    hostVerifier: (key: Buffer) => {
      if (hostKeyMatches(pinned, key)) return true
      presentedFingerprint = fingerprintOf(key)
      hostKeyRejected = true
      return false
    },
  }
  if (options.passphrase !== undefined) config.passphrase = options.passphrase

  await new Promise<void>((resolve, reject) => {
    let settled = false
    const finish = (error?: Error) => {
      if (settled) return
      settled = true
      options.signal?.removeEventListener('abort', onAbort)
      client.removeListener('ready', onReady)
      if (error) {
        client.removeListener('error', onError)
        // Later errors from a torn-down client have nobody to hear them.
        client.on('error', () => {})
        client.end()
        client.destroy()
        reject(error)
      } else {
        // onError stays attached (a no-op now) until SshConnection adds its own listener: an
        // 'error' with no listener at all would crash the process.
        resolve()
      }
    }
    const onReady = () => finish()
    const onError = (error: Error & { level?: string; code?: string }) => {
      if (hostKeyRejected) finish(hostKeyError(label, pinned, presentedFingerprint))
      else finish(connectError(label, options.username, error))
    }
    const onAbort = () =>
      finish(new CairnError('cancelled', `Connecting to ${label} was cancelled.`))
    client.once('ready', onReady)
    client.on('error', onError)
    client.once('close', () => {
      if (hostKeyRejected) finish(hostKeyError(label, pinned, presentedFingerprint))
      else finish(new CairnError('unreachable', `${label} closed the SSH connection during login.`))
    })
    options.signal?.addEventListener('abort', onAbort, { once: true })
    client.connect(config)
  })
  return new SshConnection(client, label)
}

function hostKeyError(label: string, pinned: PinnedHostKey, presented: string | undefined) {
  const expected = pinned.fingerprint
  return new CairnError(
    'host_key_mismatch',
    `The host key of ${label} changed: it presented ${presented ?? 'an unknown key'}, but Cairn ` +
      `expected ${expected}. The machine may have been replaced, or someone may be intercepting the ` +
      `connection. Cairn did not log in. If you replaced the machine yourself, update its host key.`,
    { expected, presented: presented ?? null },
  )
}

function connectError(
  label: string,
  username: string,
  error: Error & { level?: string; code?: string },
): CairnError {
  if (error.level === 'client-authentication') {
    return new CairnError(
      'unauthorized',
      `${label} refused Cairn's SSH key for the user "${username}". Check that the key is in that ` +
        `user's authorized_keys.`,
    )
  }
  const reason =
    error.code === 'ECONNREFUSED'
      ? 'the connection was refused'
      : error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN'
        ? 'the host name could not be resolved'
        : error.level === 'client-timeout' || error.code === 'ETIMEDOUT'
          ? 'it did not answer in time'
          : error.message
  return new CairnError(
    'unreachable',
    `Cairn could not connect to ${label} over SSH: ${reason}. Check that the machine is running ` +
      `and reachable.`,
  )
}

export class SshConnection {
  private closed = false
  private lostError: CairnError | undefined
  private readonly closedPromise: Promise<void>

  constructor(
    private readonly client: Client,
    /** How the host is named in messages. */
    readonly label: string,
  ) {
    this.closedPromise = new Promise((resolve) => client.once('close', () => resolve()))
    client.on('error', (error: Error & { level?: string }) => {
      this.lostError = new CairnError(
        'unreachable',
        error.level === 'client-timeout'
          ? `The SSH connection to ${label} stopped answering.`
          : `The SSH connection to ${label} was lost: ${error.message}`,
      )
    })
    client.once('close', () => {
      this.closed = true
      this.lostError ??= new CairnError('unreachable', `The SSH connection to ${label} was closed.`)
    })
  }

  get isClosed(): boolean {
    return this.closed
  }

  /**
   * Starts `command` (a string, or a Buffer built with shell-quote for byte-exact arguments) in the
   * remote user's login shell. Streams apply backpressure end to end: data not read here stops the
   * SSH window, which stops the remote process.
   */
  async exec(command: string | Buffer, options: ExecOptions = {}): Promise<RemoteProcess> {
    options.signal?.throwIfAborted()
    if (this.closed)
      throw this.lostError ?? new CairnError('unreachable', `Not connected to ${this.label}.`)
    return new Promise<RemoteProcess>((resolve, reject) => {
      try {
        // ssh2 sends a Buffer command byte for byte; its typings only mention strings.
        this.client.exec(command as unknown as string, (error, channel) => {
          // Wrap synchronously: a fast command's exit status can arrive in the same packet batch.
          if (error) reject(this.channelError(error))
          else resolve(wrapChannel(channel, this, options.signal))
        })
      } catch (error) {
        reject(this.channelError(error as Error))
      }
    })
  }

  /** Runs a command to completion, collecting at most `maxOutputBytes` of each output stream. */
  async run(
    command: string | Buffer,
    options: ExecOptions & { stdin?: Buffer; maxOutputBytes?: number } = {},
  ): Promise<RunResult> {
    const proc = await this.exec(command, options)
    const limit = options.maxOutputBytes ?? 16 * 1024 * 1024
    const collect = (stream: Readable) =>
      new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = []
        let size = 0
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > limit) {
            proc.kill()
            reject(
              new CairnError('remote_error', `A command on ${this.label} printed too much output.`),
            )
            return
          }
          chunks.push(chunk)
        })
        stream.once('end', () => resolve(Buffer.concat(chunks)))
        stream.once('error', reject)
      })
    const out = collect(proc.stdout)
    const err = collect(proc.stderr)
    proc.stdin.end(options.stdin)
    const [stdout, stderr, status] = await Promise.all([out, err, proc.exit])
    return { ...status, stdout, stderr }
  }

  /** The error to report when the link dropped under a running command. */
  connectionLostError(): CairnError | undefined {
    return this.closed ? this.lostError : undefined
  }

  /**
   * Why a command's streams failed, when the cause is not in the data: the job was cancelled or
   * the connection dropped. Undefined when neither (then the caller's own error stands).
   */
  interruption(signal?: AbortSignal): CairnError | undefined {
    if (signal?.aborted) return new CairnError('cancelled', 'The operation was cancelled.')
    return this.connectionLostError()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.client.end()
    const timer = setTimeout(() => this.client.destroy(), 2_000)
    await this.closedPromise
    clearTimeout(timer)
  }

  private channelError(error: Error): CairnError {
    if (this.closed && this.lostError) return this.lostError
    return new CairnError(
      'unreachable',
      `Cairn could not start a command on ${this.label}: ${error.message}`,
    )
  }
}

function wrapChannel(
  channel: ClientChannel,
  connection: SshConnection,
  signal: AbortSignal | undefined,
): RemoteProcess {
  let aborted = false
  const kill = () => {
    try {
      channel.signal('TERM')
    } catch {
      // The channel may already be closing; closing it below is what counts.
    }
    channel.close()
  }
  const onAbort = () => {
    aborted = true
    kill()
  }
  signal?.addEventListener('abort', onAbort, { once: true })
  const exit = new Promise<ExitStatus>((resolve, reject) => {
    // ssh2 passes the exit status (or signal) it recorded to 'close'; undefined means none came.
    channel.once('close', (code?: number | null, signalName?: string) => {
      signal?.removeEventListener('abort', onAbort)
      if (aborted) reject(new CairnError('cancelled', 'The remote command was cancelled.'))
      else if (typeof code === 'number') resolve({ code, signal: null })
      else if (code === null) resolve({ code: null, signal: signalName ?? null })
      else {
        const lost = connection.connectionLostError()
        if (lost) reject(lost)
        else resolve({ code: null, signal: null })
      }
    })
  })
  // Callers that only care about streams must not crash the process with an unhandled rejection.
  exit.catch(() => {})
  return { stdin: channel, stdout: channel, stderr: channel.stderr, exit, kill }
}
