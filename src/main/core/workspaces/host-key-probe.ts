import { Client } from 'ssh2'
import { CairnError } from '../../../shared/errors'
import { blobType, fingerprintOf, parsePinnedHostKey } from '../ssh/host-key'

export interface HostKeyProbe {
  host: string
  port: number
  /** `ssh-ed25519 AAAA...` as presented. */
  hostKey: string
  fingerprint: string
  keyType: string
}

/** Strongest first: the server presents the first of these it has. */
const HOST_KEY_PREFERENCE = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
]

/**
 * The host key an SSH server presents, for the user to compare with the machine's own
 * (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on it) before Cairn trusts it. The
 * connection is dropped during key exchange, before any authentication: nothing is offered and
 * the server learns no user name.
 */
export function probeHostKey(
  input: { host: string; port: number },
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<HostKeyProbe> {
  const label = input.port === 22 ? input.host : `${input.host}:${input.port}`
  options.signal?.throwIfAborted()
  return new Promise((resolve, reject) => {
    const client = new Client()
    let presented: Buffer | null = null
    let settled = false
    const finish = (error: Error | null) => {
      if (settled) return
      settled = true
      options.signal?.removeEventListener('abort', onAbort)
      client.removeAllListeners('error')
      client.on('error', () => {})
      client.end()
      client.destroy()
      if (presented) {
        const keyType = blobType(presented) ?? 'unknown'
        resolve({
          host: input.host,
          port: input.port,
          hostKey: `${keyType} ${presented.toString('base64')}`,
          fingerprint: fingerprintOf(presented),
          keyType,
        })
      } else {
        reject(error ?? unreachable(label, 'it closed the connection'))
      }
    }
    const onAbort = () => finish(new CairnError('cancelled', `Asking ${label} was cancelled.`))
    options.signal?.addEventListener('abort', onAbort, { once: true })
    client.on('error', (error: Error & { code?: string; level?: string }) => {
      finish(unreachable(label, reason(error)))
    })
    client.once('close', () => finish(null))
    client.connect({
      host: input.host,
      port: input.port,
      username: 'cairn-host-key-probe',
      readyTimeout: options.timeoutMs ?? 15_000,
      tryKeyboard: false,
      algorithms: { serverHostKey: HOST_KEY_PREFERENCE as never },
      hostVerifier: (key: Buffer) => {
        presented = Buffer.from(key)
        // Refusing ends the connection here, before authentication.
        setImmediate(() => finish(null))
        return false
      },
    })
  })
}

function reason(error: Error & { code?: string; level?: string }): string {
  if (error.code === 'ECONNREFUSED') return 'the connection was refused'
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')
    return 'the host name could not be resolved'
  if (error.level === 'client-timeout' || error.code === 'ETIMEDOUT')
    return 'it did not answer in time'
  return error.message
}

function unreachable(label: string, why: string): CairnError {
  return new CairnError(
    'unreachable',
    `Cairn could not reach an SSH server at ${label}: ${why}. Check the host name, the port, and ` +
      'that the machine is running.',
  )
}

/** A host key the user confirmed, normalised to `type base64` (no comment); the whole key only. */
export function parseConfirmedHostKey(text: string): string {
  try {
    const key = parsePinnedHostKey(text)
    if (key.kind === 'key') return `${key.type} ${key.blob.toString('base64')}`
  } catch {
    // Said below.
  }
  throw new CairnError(
    'invalid_input',
    'The host key must be the whole public key, like "ssh-ed25519 AAAA...", as Cairn showed it.',
  )
}
