import { randomBytes } from 'node:crypto'
import { decodePlaintext, encodePlaintext } from '../compression/codec'
import { aeadKey, BOX_OVERHEAD, openBox, sealBox, NONCE_LENGTH } from './aead'
import { hkdf } from './kdf'

/**
 * A sealed file is a whole object encrypted on its own (index files, snapshots, registry entries):
 *
 *   0  magic "CRNF"            4
 *   4  format version = 1      u8
 *   5  kind                    u8  (1 index, 2 snapshot, 3 registry entry, 4 lease)
 *   6  key version             u32 LE (0 = the master key)
 *  10  salt                    32 random bytes
 *  42  nonce || ciphertext || tag   (ChaCha20-Poly1305, AAD = bytes 0..41)
 *
 * key = HKDF-SHA256(root key, salt, info); plaintext = codec u8 || raw length u32 LE || body.
 */
export const SEALED_MAGIC = Buffer.from('CRNF', 'latin1')
const SEALED_VERSION = 1
const HEADER_LENGTH = 42

export const SEALED_KIND = { index: 1, snapshot: 2, registry: 3, lease: 4 } as const
export type SealedKind = keyof typeof SEALED_KIND

export class SealedFileError extends Error {
  constructor(
    readonly reason: 'format' | 'authentication',
    message: string,
  ) {
    super(message)
  }
}

export async function sealFile(
  kind: SealedKind,
  keyVersion: number,
  rootKey: Uint8Array,
  info: string,
  body: Uint8Array,
): Promise<Buffer> {
  const header = Buffer.alloc(HEADER_LENGTH)
  SEALED_MAGIC.copy(header, 0)
  header[4] = SEALED_VERSION
  header[5] = SEALED_KIND[kind]
  header.writeUInt32LE(keyVersion, 6)
  const salt = randomBytes(32)
  salt.copy(header, 10)
  const key = aeadKey(hkdf(rootKey, salt, info))
  const encoded = await encodePlaintext(body)
  const prefix = Buffer.alloc(5)
  prefix[0] = encoded.codec
  prefix.writeUInt32LE(body.length, 1)
  const box = sealBox(key, randomBytes(NONCE_LENGTH), [prefix, encoded.body], header)
  return Buffer.concat([header, box])
}

/** Kind and key version, read before decryption (they choose the key). */
export function readSealedHeader(bytes: Uint8Array): { kind: number; keyVersion: number } {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.length < HEADER_LENGTH + BOX_OVERHEAD + 5 || !view.subarray(0, 4).equals(SEALED_MAGIC)) {
    throw new SealedFileError('format', 'not a Cairn sealed file')
  }
  if (view[4] !== SEALED_VERSION)
    throw new SealedFileError('format', `sealed file version ${view[4]} is not supported`)
  return { kind: view[5]!, keyVersion: view.readUInt32LE(6) }
}

export async function openFile(
  bytes: Uint8Array,
  expectedKind: SealedKind,
  rootKey: Uint8Array,
  info: string,
): Promise<Buffer> {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const { kind } = readSealedHeader(view)
  if (kind !== SEALED_KIND[expectedKind])
    throw new SealedFileError('format', `expected a ${expectedKind} file`)
  const header = view.subarray(0, HEADER_LENGTH)
  const key = aeadKey(hkdf(rootKey, view.subarray(10, 42), info))
  const plain = openBox(key, view.subarray(HEADER_LENGTH), header)
  if (!plain) throw new SealedFileError('authentication', 'authentication failed')
  const codec = plain[0]!
  const rawLength = plain.readUInt32LE(1)
  try {
    return await decodePlaintext(codec, plain.subarray(5), rawLength)
  } catch (error) {
    // Authenticated but undecodable: a writer bug, reported like damage.
    throw new SealedFileError('format', (error as Error).message)
  }
}
