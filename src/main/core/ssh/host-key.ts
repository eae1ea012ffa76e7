import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * A pinned host key: either the public key itself in OpenSSH format (`ssh-ed25519 AAAA... comment`,
 * as in known_hosts or ssh_host_ed25519_key.pub) or its SHA256 fingerprint (`SHA256:...`, as printed
 * by `ssh-keygen -lf`). Cairn generates the VM's host key and injects it, so there is no
 * trust-on-first-use: a key that differs means another machine or a man in the middle.
 */
export type PinnedHostKey =
  | { kind: 'key'; type: string; blob: Buffer; fingerprint: string }
  | { kind: 'fingerprint'; fingerprint: string }

const KEY_TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
])

export function parsePinnedHostKey(text: string): PinnedHostKey {
  const trimmed = text.trim()
  if (trimmed.startsWith('SHA256:')) {
    const b64 = trimmed.slice('SHA256:'.length).replace(/=+$/, '')
    if (!/^[A-Za-z0-9+/]{43}$/.test(b64))
      throw new TypeError('Malformed SHA256 host key fingerprint')
    return { kind: 'fingerprint', fingerprint: `SHA256:${b64}` }
  }
  // known_hosts lines start with the host pattern; public key files start with the type.
  const fields = trimmed.split(/\s+/)
  const at = fields.findIndex((f) => KEY_TYPES.has(f))
  const type = at >= 0 ? fields[at] : undefined
  const b64 = at >= 0 ? fields[at + 1] : undefined
  if (type === undefined || b64 === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    throw new TypeError('Malformed host key: expected "ssh-ed25519 AAAA..." or "SHA256:..."')
  }
  const blob = Buffer.from(b64, 'base64')
  if (blobType(blob) !== type) throw new TypeError('Malformed host key: type and key do not agree')
  return { kind: 'key', type, blob, fingerprint: fingerprintOf(blob) }
}

/** The OpenSSH SHA256 fingerprint of a public key blob (SSH wire format). */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`
}

export function hostKeyMatches(pinned: PinnedHostKey, presented: Buffer): boolean {
  if (pinned.kind === 'key') {
    return pinned.blob.length === presented.length && timingSafeEqual(pinned.blob, presented)
  }
  return fingerprintOf(presented) === pinned.fingerprint
}

/** Host key algorithms to offer so that the server presents the pinned key's type. */
export function hostKeyAlgorithmsFor(pinned: PinnedHostKey): string[] | undefined {
  if (pinned.kind !== 'key') return undefined
  if (pinned.type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']
  return [pinned.type]
}

/** The key type named inside an SSH wire-format public key blob. */
export function blobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined
  const len = blob.readUInt32BE(0)
  if (len > 64 || blob.length < 4 + len) return undefined
  return blob.subarray(4, 4 + len).toString('latin1')
}
