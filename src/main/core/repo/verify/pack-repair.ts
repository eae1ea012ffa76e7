import { createHash } from 'node:crypto'
import { isDamage } from '../errors'
import { writeIndexFiles } from '../index/index-store'
import type { IndexPack, MemoryIndex } from '../index/memory-index'
import { openBlob, readPackHeader } from '../pack/pack-reader'
import { decodePackHeader, decodeTrailer, PACK_TRAILER_LENGTH } from '../pack/pack-format'
import { openBox } from '../crypto/aead'
import { WorkspacePaths } from '../layout'
import type { Workspace } from '../workspace/workspace'

export interface UnindexedPack {
  id: string
  size: number
  /** When the store last wrote it, if the store says (prune keeps young ones). */
  modified?: Date
}

/**
 * Packs in the workspace's data/ that no index file mentions: left by an interrupted backup after
 * its last checkpoint (or by a crashed prune). One LIST pass over data/.
 */
export async function findUnindexedPacks(
  workspace: Workspace,
  index: MemoryIndex,
  options: { signal?: AbortSignal } = {},
): Promise<UnindexedPack[]> {
  const found: UnindexedPack[] = []
  for await (const object of workspace.store.list(workspace.paths.data, {
    signal: options.signal,
  })) {
    const id = WorkspacePaths.idOf(object.key)
    if (id && object.key === workspace.paths.pack(id) && !index.hasPack(id))
      found.push({
        id,
        size: object.size,
        ...(object.modified ? { modified: object.modified } : {}),
      })
  }
  return found
}

export interface IndexFromHeadersResult {
  indexed: string[]
  failed: { id: string; message: string }[]
  indexFiles: string[]
}

/**
 * Reads the headers of the given packs (ranged GETs, no full download), adds them to `index` and
 * writes index files for them: how the blobs of an interrupted backup's last packs are made
 * reusable, and how a lost index is rebuilt. Damaged packs are reported, not indexed.
 */
export async function indexPacksFromHeaders(
  workspace: Workspace,
  index: MemoryIndex,
  packs: readonly UnindexedPack[],
  options: { signal?: AbortSignal } = {},
): Promise<IndexFromHeadersResult> {
  const result: IndexFromHeadersResult = { indexed: [], failed: [], indexFiles: [] }
  const described: IndexPack[] = []
  for (const pack of packs) {
    try {
      const header = await readPackHeader(workspace, pack.id, pack.size)
      described.push({
        id: pack.id,
        type: header.trailer.type,
        keyVersion: header.trailer.keyVersion,
        salt: header.trailer.salt,
        length: header.length,
        blobs: header.entries,
      })
      result.indexed.push(pack.id)
    } catch (error) {
      if (!isDamage(error)) throw error
      result.failed.push({ id: pack.id, message: error.message })
    }
  }
  if (described.length > 0) {
    result.indexFiles = await writeIndexFiles(workspace, described, { signal: options.signal })
    for (const pack of described) index.addPack(pack)
  }
  return result
}

export interface PackCheck {
  id: string
  ok: boolean
  problems: string[]
  blobs: number
}

/**
 * Downloads a whole pack and checks everything: its name (SHA-256 of the content), trailer,
 * header, and every blob (authentication and id).
 */
export async function checkPack(workspace: Workspace, packId: string): Promise<PackCheck> {
  const check: PackCheck = { id: packId, ok: false, problems: [], blobs: 0 }
  let bytes: Uint8Array
  try {
    bytes = await workspace.store.get(workspace.paths.pack(packId))
  } catch (error) {
    check.problems.push(`cannot be read: ${(error as Error).message}`)
    return check
  }
  if (createHash('sha256').update(bytes).digest('hex') !== packId)
    check.problems.push('its content does not match its name')
  try {
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    if (view.length < PACK_TRAILER_LENGTH) throw new Error('too short to be a pack')
    const trailerBytes = view.subarray(view.length - PACK_TRAILER_LENGTH)
    const trailer = decodeTrailer(trailerBytes)
    const key = workspace.keys.get(trailer.keyVersion)
    if (!key) throw new Error(`needs key version ${trailer.keyVersion}`)
    const headerStart = view.length - PACK_TRAILER_LENGTH - trailer.headerLength
    if (headerStart < 0) throw new Error('its header length is impossible')
    const plain = openBox(
      key.packKey(trailer.salt),
      view.subarray(headerStart, view.length - PACK_TRAILER_LENGTH),
      trailerBytes,
    )
    if (!plain) throw new Error('its header failed authentication')
    const entries = decodePackHeader(plain, headerStart)
    const pack = {
      id: packId,
      type: trailer.type,
      keyVersion: trailer.keyVersion,
      salt: trailer.salt,
      length: view.length,
    }
    for (const entry of entries) {
      try {
        await openBlob(
          workspace.keys,
          { ...entry, pack },
          view.subarray(entry.offset, entry.offset + entry.length),
        )
        check.blobs++
      } catch (error) {
        check.problems.push((error as Error).message)
      }
    }
  } catch (error) {
    check.problems.push((error as Error).message)
  }
  check.ok = check.problems.length === 0
  return check
}
