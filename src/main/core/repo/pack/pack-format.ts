import { ByteReader, FormatError } from '../binary/byte-reader'
import { ByteWriter } from '../binary/byte-writer'
import { BLOB_TYPE_CODE, blobTypeFromCode, type BlobType } from '../crypto/blob-id'
import { bytesToId, idToBytes } from '../util/hex'

/**
 * A pack file:
 *
 *   Blob_1 || … || Blob_n || EncryptedHeader || Trailer (48 bytes)
 *
 * Blob_i          = nonce (12) || ciphertext || tag (16): ChaCha20-Poly1305 under the pack key,
 *                   nonce = 4 zero bytes || u64 BE i (i from 0), AAD = type u8 || blob id (32),
 *                   plaintext = codec u8 || body
 * EncryptedHeader = nonce (12) || ciphertext || tag (16) under the pack key,
 *                   nonce = FF FF FF FF || 8 zero bytes, AAD = the 48 trailer bytes
 * Trailer         = salt (32) || key version u32 LE || header length u32 LE (EncryptedHeader bytes)
 *                   || pack format version u8 (1) || pack type u8 (0 data, 1 tree) || 2 zero bytes
 *                   || magic "CRNP"
 * pack key        = HKDF-SHA256(data key of that version, salt, "cairn v1 pack")
 * pack id         = SHA-256 of the whole pack, lowercase hex (the object name)
 *
 * Header plaintext = version u8 (1) || count u32 LE || count entries of 45 bytes:
 *   type u8 || blob id (32) || offset u32 LE || length u32 LE (stored bytes) || raw length u32 LE
 */
export const PACK_TRAILER_LENGTH = 48
export const PACK_MAGIC = Buffer.from('CRNP', 'latin1')
const PACK_FORMAT_VERSION = 1
const HEADER_VERSION = 1
const HEADER_ENTRY_LENGTH = 45
export const HEADER_NONCE = Buffer.from('ffffffff0000000000000000', 'hex')

export interface PackTrailer {
  salt: Buffer
  keyVersion: number
  headerLength: number
  type: BlobType
}

export interface PackBlobEntry {
  type: BlobType
  id: string
  /** Offset of the stored blob (nonce) from the start of the pack. */
  offset: number
  /** Stored bytes: nonce + ciphertext + tag. */
  length: number
  /** Plaintext bytes after decompression. */
  rawLength: number
}

export function encodeTrailer(trailer: PackTrailer): Buffer {
  const out = Buffer.alloc(PACK_TRAILER_LENGTH)
  trailer.salt.copy(out, 0)
  out.writeUInt32LE(trailer.keyVersion, 32)
  out.writeUInt32LE(trailer.headerLength, 36)
  out[40] = PACK_FORMAT_VERSION
  out[41] = BLOB_TYPE_CODE[trailer.type]
  PACK_MAGIC.copy(out, 44)
  return out
}

export function decodeTrailer(bytes: Uint8Array): PackTrailer {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.length !== PACK_TRAILER_LENGTH || !view.subarray(44).equals(PACK_MAGIC)) {
    throw new FormatError('not a Cairn pack (no pack trailer)')
  }
  if (view[40] !== PACK_FORMAT_VERSION)
    throw new FormatError(`pack format version ${view[40]} is not supported`)
  const type = blobTypeFromCode(view[41]!)
  if (!type || view[42] !== 0 || view[43] !== 0)
    throw new FormatError('pack trailer has invalid fields')
  return {
    salt: Buffer.from(view.subarray(0, 32)),
    keyVersion: view.readUInt32LE(32),
    headerLength: view.readUInt32LE(36),
    type,
  }
}

export function encodePackHeader(entries: readonly PackBlobEntry[]): Buffer {
  const writer = new ByteWriter(5 + entries.length * HEADER_ENTRY_LENGTH)
  writer.u8(HEADER_VERSION).u32(entries.length)
  for (const entry of entries) {
    writer
      .u8(BLOB_TYPE_CODE[entry.type])
      .bytes(idToBytes(entry.id))
      .u32(entry.offset)
      .u32(entry.length)
      .u32(entry.rawLength)
  }
  return writer.finish()
}

/** Parses a header and checks that the blobs tile the pack from offset 0 up to `blobsEnd`. */
export function decodePackHeader(plain: Uint8Array, blobsEnd: number): PackBlobEntry[] {
  const reader = new ByteReader(plain)
  if (reader.u8() !== HEADER_VERSION) throw new FormatError('unsupported pack header version')
  const count = reader.u32()
  if (count * HEADER_ENTRY_LENGTH !== reader.remaining)
    throw new FormatError('pack header length does not match its count')
  const entries: PackBlobEntry[] = []
  let expectedOffset = 0
  for (let i = 0; i < count; i++) {
    const type = blobTypeFromCode(reader.u8())
    if (!type) throw new FormatError('unknown blob type in pack header')
    const id = bytesToId(reader.bytes(32))
    const offset = reader.u32()
    const length = reader.u32()
    const rawLength = reader.u32()
    if (offset !== expectedOffset) throw new FormatError('pack header offsets are not contiguous')
    expectedOffset += length
    entries.push({ type, id, offset, length, rawLength })
  }
  if (expectedOffset !== blobsEnd) throw new FormatError('pack header does not cover the pack')
  return entries
}

/** Associated data of a blob inside a pack. */
export function blobAad(type: BlobType, id: string): Buffer {
  const aad = Buffer.allocUnsafe(33)
  aad[0] = BLOB_TYPE_CODE[type]
  idToBytes(id).copy(aad, 1)
  return aad
}
