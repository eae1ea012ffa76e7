import { FormatError } from '../binary/byte-reader'
import { CodecError, decodePlaintext } from '../compression/codec'
import { openBox } from '../crypto/aead'
import { computeBlobId, type BlobType } from '../crypto/blob-id'
import { damagedBlob, damagedError, mapMissing } from '../errors'
import type { PackInfo } from '../index/memory-index'
import { shortId } from '../util/hex'
import type { KeyRing } from '../workspace/key-ring'
import type { Workspace } from '../workspace/workspace'
import {
  blobAad,
  decodePackHeader,
  decodeTrailer,
  PACK_TRAILER_LENGTH,
  type PackBlobEntry,
  type PackTrailer,
} from './pack-format'

export interface BlobRef {
  id: string
  type: BlobType
  pack: PackInfo
  rawLength: number
}

/**
 * Decrypts, decompresses and checks one stored blob. Authentication (the AEAD tag, with the blob
 * id and type in the associated data) proves the bytes are what the writer stored under this id;
 * with `verifyId` the id is also recomputed from the plaintext (HMAC), which catches a writer
 * that stored the wrong bytes under an id.
 */
export async function openBlob(
  keys: KeyRing,
  blob: BlobRef,
  stored: Uint8Array,
  verifyId = true,
): Promise<Buffer> {
  const key = keys.get(blob.pack.keyVersion)
  if (!key)
    throw damagedBlob(
      blob.id,
      blob.pack.id,
      `needs key version ${blob.pack.keyVersion}, which this workspace does not have`,
    )
  const plain = openBox(key.packKey(blob.pack.salt), stored, blobAad(blob.type, blob.id))
  if (!plain || plain.length === 0)
    throw damagedBlob(blob.id, blob.pack.id, 'failed authentication')
  let raw: Buffer
  try {
    raw = await decodePlaintext(plain[0]!, plain.subarray(1), blob.rawLength)
  } catch (error) {
    if (error instanceof CodecError)
      throw damagedBlob(blob.id, blob.pack.id, `could not be decoded (${error.message})`)
    throw error
  }
  if (verifyId && computeBlobId(key.idKey, blob.type, raw).toString('hex') !== blob.id) {
    throw damagedBlob(blob.id, blob.pack.id, 'does not match its id')
  }
  return raw
}

export interface PackHeader {
  id: string
  length: number
  trailer: PackTrailer
  entries: PackBlobEntry[]
}

const TAIL_GUESS = 64 * 1024

/**
 * Reads a pack's trailer and header with ranged GETs (one when the header is under ~64 KiB), for
 * rebuilding an index or checking a pack without downloading it.
 */
export async function readPackHeader(
  workspace: Workspace,
  packId: string,
  packLength?: number,
): Promise<PackHeader> {
  const key = workspace.paths.pack(packId)
  const missing = () =>
    damagedError(`Pack ${shortId(packId)} is missing from the repository.`, {
      packId,
      cause: 'missing',
    })
  let length = packLength
  if (length === undefined) {
    const info = await workspace.store.head(key)
    if (!info) throw missing()
    length = info.size
  }
  const damaged = (why: string) =>
    damagedError(`Pack ${shortId(packId)} is damaged: ${why}.`, { packId, cause: why })
  if (length < PACK_TRAILER_LENGTH) throw damaged('it is too short to be a pack')
  const tailLength = Math.min(length, TAIL_GUESS)
  let tail: Uint8Array
  try {
    tail = await workspace.store.get(key, {
      range: { offset: length - tailLength, length: tailLength },
    })
  } catch (error) {
    throw mapMissing(error, missing)
  }
  if (tail.length !== tailLength) throw damaged('it is shorter than expected')
  let trailer: PackTrailer
  try {
    trailer = decodeTrailer(tail.subarray(tail.length - PACK_TRAILER_LENGTH))
  } catch (error) {
    throw damaged((error as Error).message)
  }
  const headerLength = trailer.headerLength
  if (headerLength + PACK_TRAILER_LENGTH > length) throw damaged('its header length is impossible')
  let headerBox: Uint8Array
  if (headerLength + PACK_TRAILER_LENGTH <= tail.length) {
    headerBox = tail.subarray(
      tail.length - PACK_TRAILER_LENGTH - headerLength,
      tail.length - PACK_TRAILER_LENGTH,
    )
  } else {
    headerBox = await workspace.store.get(key, {
      range: { offset: length - PACK_TRAILER_LENGTH - headerLength, length: headerLength },
    })
  }
  const material = workspace.keys.get(trailer.keyVersion)
  if (!material)
    throw damaged(`it needs key version ${trailer.keyVersion}, which this workspace does not have`)
  const trailerBytes = tail.subarray(tail.length - PACK_TRAILER_LENGTH)
  const plain = openBox(material.packKey(trailer.salt), headerBox, trailerBytes)
  if (!plain) throw damaged('its header failed authentication')
  try {
    const entries = decodePackHeader(plain, length - PACK_TRAILER_LENGTH - headerLength)
    if (entries.some((entry) => entry.type !== trailer.type))
      throw new FormatError('mixed blob types')
    return { id: packId, length, trailer, entries }
  } catch (error) {
    throw damaged((error as Error).message)
  }
}
