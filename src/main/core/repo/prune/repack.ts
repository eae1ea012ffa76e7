import { CodecError, decodePlaintext } from '../compression/codec'
import { openBox } from '../crypto/aead'
import { computeBlobId, type BlobType } from '../crypto/blob-id'
import { damagedBlob, mapMissing, damagedError } from '../errors'
import type { BlobLocation } from '../index/memory-index'
import { blobAad } from '../pack/pack-format'
import { PackWriter, type StoredPack } from '../pack/pack-writer'
import { shortId } from '../util/hex'
import type { Workspace } from '../workspace/workspace'

export interface RepackOptions {
  /** Seal new packs at this many bytes (default 16 MiB, as a backup does). */
  packTargetSize?: number
  signal?: AbortSignal
  /** Called after each source pack's blobs were handed to the writers. */
  onPack?: (packId: string) => void
}

/**
 * Copies the given blobs (grouped by their source pack) into new packs through the normal pack
 * writer: each source pack is downloaded once, each blob authenticated, decoded and checked
 * against its id, then sealed again under a new pack key (new salt, new pack id). The blob's
 * codec and compressed body are kept, so nothing is compressed twice. Blob ids derive from the
 * data key version the blob was written with, so a blob stays under that version (one writer per
 * type and key version). A source blob that fails its checks stops the prune before anything is
 * deleted: its pack stays, and the damage is reported. Returns the packs stored.
 */
export async function repackBlobs(
  workspace: Workspace,
  sources: ReadonlyMap<string, readonly BlobLocation[]>,
  options: RepackOptions = {},
): Promise<StoredPack[]> {
  const stored: StoredPack[] = []
  const writers = new Map<string, PackWriter>()
  const writerFor = (type: BlobType, keyVersion: number): PackWriter => {
    const name = `${type}:${keyVersion}`
    let writer = writers.get(name)
    if (!writer) {
      const key = workspace.keys.get(keyVersion)
      if (!key) throw new Error(`key version ${keyVersion} is not loaded`)
      writer = new PackWriter(
        workspace.store,
        workspace.paths,
        key,
        type,
        {
          targetSize: options.packTargetSize ?? 16 * 1024 * 1024,
          maxInFlight: 2,
          ...(options.signal ? { signal: options.signal } : {}),
        },
        (pack) => stored.push(pack),
      )
      writers.set(name, writer)
    }
    return writer
  }
  try {
    for (const [packId, blobs] of sources) {
      options.signal?.throwIfAborted()
      let bytes: Uint8Array
      try {
        bytes = await workspace.store.get(workspace.paths.pack(packId), {
          ...(options.signal ? { signal: options.signal } : {}),
        })
      } catch (error) {
        throw mapMissing(error, () =>
          damagedError(`Pack ${shortId(packId)} is missing from the repository.`, {
            packId,
            cause: 'missing',
          }),
        )
      }
      for (const blob of blobs) {
        const key = workspace.keys.get(blob.pack.keyVersion)
        if (!key) throw damagedBlob(blob.id, packId, `needs unknown key version`)
        if (blob.offset + blob.length > bytes.length)
          throw damagedBlob(blob.id, packId, 'lies outside its pack')
        const plain = openBox(
          key.packKey(blob.pack.salt),
          bytes.subarray(blob.offset, blob.offset + blob.length),
          blobAad(blob.type, blob.id),
        )
        if (!plain || plain.length === 0)
          throw damagedBlob(blob.id, packId, 'failed authentication')
        const codec = plain[0]!
        const body = plain.subarray(1)
        let raw: Buffer
        try {
          raw = await decodePlaintext(codec, body, blob.rawLength)
        } catch (error) {
          if (error instanceof CodecError)
            throw damagedBlob(blob.id, packId, `could not be decoded (${error.message})`)
          throw error
        }
        if (computeBlobId(key.idKey, blob.type, raw).toString('hex') !== blob.id)
          throw damagedBlob(blob.id, packId, 'does not match its id')
        await writerFor(blob.type, blob.pack.keyVersion).add(blob.id, blob.rawLength, codec, body)
      }
      options.onPack?.(packId)
    }
    for (const writer of writers.values()) await writer.flush()
    return stored
  } catch (error) {
    // Packs already stored stay as unindexed garbage; a later prune deletes them.
    for (const writer of writers.values()) await writer.abort(error)
    throw error
  }
}
