import { generateKeyPairSync, randomBytes } from 'node:crypto'

/** An ed25519 key pair in OpenSSH's formats. */
export interface Ed25519KeyPair {
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` (unencrypted). */
  privateKey: string
  /** `ssh-ed25519 AAAA... comment` (the comment only when given). */
  publicKey: string
}

const KEY_TYPE = 'ssh-ed25519'

/**
 * A new ed25519 key pair, made by Node's crypto and written in OpenSSH's own format
 * (PROTOCOL.key). Not ssh2's generateKeyPairSync: it drops a leading zero byte of the public key
 * or the seed (about one key in 128), and OpenSSH refuses such a key ("error in libcrypto"): a
 * server given that host key never starts sshd.
 */
export function generateEd25519KeyPair(comment = ''): Ed25519KeyPair {
  const { privateKey } = generateKeyPairSync('ed25519')
  const jwk = privateKey.export({ format: 'jwk' })
  const seed = Buffer.from(jwk.d!, 'base64url')
  const pub = Buffer.from(jwk.x!, 'base64url')
  if (seed.length !== 32 || pub.length !== 32) throw new Error('unexpected ed25519 key size')

  const publicBlob = Buffer.concat([sshString(KEY_TYPE), sshString(pub)])
  const check = randomBytes(4)
  let secret = Buffer.concat([
    check,
    check,
    sshString(KEY_TYPE),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(comment),
  ])
  // Padded with 1, 2, 3, ... to the cipher's block size (8 for "none").
  const padding = (8 - (secret.length % 8)) % 8
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: padding }, (_, i) => i + 1))])
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicBlob),
    sshString(secret),
  ])
  const lines = body.toString('base64').match(/.{1,70}/g) ?? []
  return {
    privateKey: [
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      ...lines,
      '-----END OPENSSH PRIVATE KEY-----',
      '',
    ].join('\n'),
    publicKey: `${KEY_TYPE} ${publicBlob.toString('base64')}${comment ? ` ${comment}` : ''}`,
  }
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value
  return Buffer.concat([uint32(bytes.length), bytes])
}
