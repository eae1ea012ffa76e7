import { ByteReader, FormatError } from '../binary/byte-reader'
import { ByteWriter } from '../binary/byte-writer'
import { BLOB_TYPE_CODE, blobTypeFromCode } from '../crypto/blob-id'
import { bytesToId, idToBytes } from '../util/hex'
import type { IndexPack } from './memory-index'

/**
 * Plaintext of an index file (stored as a sealed file of kind "index"):
 *
 *   version u8 (1)
 *   supersedes count u32 LE, then that many index file ids (32 bytes each)
 *   pack count u32 LE, then per pack:
 *     pack id (32) || pack type u8 || key version u32 LE || salt (32) || pack length u32 LE
 *     || blob count u32 LE || blobs of 45 bytes: type u8 || id (32) || offset u32 LE
 *        || length u32 LE || raw length u32 LE
 *
 * The salt and key version are repeated from the pack trailer so a blob can be read with one
 * ranged GET and no look at the trailer.
 */
const INDEX_VERSION = 1

export interface IndexFileContent {
  supersedes: string[]
  packs: IndexPack[]
}

export function encodeIndexFile(content: IndexFileContent): Buffer {
  const writer = new ByteWriter(1024)
  writer.u8(INDEX_VERSION).u32(content.supersedes.length)
  for (const id of content.supersedes) writer.bytes(idToBytes(id))
  writer.u32(content.packs.length)
  for (const pack of content.packs) {
    writer
      .bytes(idToBytes(pack.id))
      .u8(BLOB_TYPE_CODE[pack.type])
      .u32(pack.keyVersion)
      .bytes(pack.salt)
      .u32(pack.length)
      .u32(pack.blobs.length)
    for (const blob of pack.blobs) {
      writer
        .u8(BLOB_TYPE_CODE[blob.type])
        .bytes(idToBytes(blob.id))
        .u32(blob.offset)
        .u32(blob.length)
        .u32(blob.rawLength)
    }
  }
  return writer.finish()
}

export function decodeIndexFile(plain: Uint8Array): IndexFileContent {
  const reader = new ByteReader(plain)
  if (reader.u8() !== INDEX_VERSION) throw new FormatError('unsupported index version')
  const supersedes: string[] = []
  const supersededCount = reader.u32()
  if (supersededCount * 32 > reader.remaining)
    throw new FormatError('index supersedes list is truncated')
  for (let i = 0; i < supersededCount; i++) supersedes.push(bytesToId(reader.bytes(32)))
  const packs: IndexPack[] = []
  const packCount = reader.u32()
  for (let p = 0; p < packCount; p++) {
    const id = bytesToId(reader.bytes(32))
    const type = blobTypeFromCode(reader.u8())
    if (!type) throw new FormatError('unknown pack type in index')
    const keyVersion = reader.u32()
    const salt = Buffer.from(reader.bytes(32))
    const length = reader.u32()
    const blobCount = reader.u32()
    if (blobCount * 45 > reader.remaining) throw new FormatError('index pack entry is truncated')
    const blobs = []
    for (let b = 0; b < blobCount; b++) {
      const blobType = blobTypeFromCode(reader.u8())
      if (!blobType) throw new FormatError('unknown blob type in index')
      const blobId = bytesToId(reader.bytes(32))
      const offset = reader.u32()
      const blobLength = reader.u32()
      const rawLength = reader.u32()
      if (offset + blobLength > length) throw new FormatError('index blob lies outside its pack')
      blobs.push({ type: blobType, id: blobId, offset, length: blobLength, rawLength })
    }
    packs.push({ id, type, keyVersion, salt, length, blobs })
  }
  reader.expectEnd()
  return { supersedes, packs }
}
