import { CairnError } from '../../../../shared/errors'
import { KDF_INFO } from '../crypto/kdf'
import { openFile, readSealedHeader, SealedFileError } from '../crypto/sealed-file'
import { damagedError, mapMissing, missingBlob } from '../errors'
import type { BlobLocation, MemoryIndex } from '../index/memory-index'
import { openBlob } from '../pack/pack-reader'
import { decodeTree, TreeFormatError } from '../tree/tree-codec'
import type { TreeEntry } from '../tree/tree-entry'
import { shortId } from '../util/hex'
import { Limiter } from '../util/limiter'
import { WorkspacePaths } from '../layout'
import type { Workspace } from '../workspace/workspace'
import { planRanges, type PackRange } from './range-plan'
import { snapshotProblem, type Snapshot, type SnapshotInfo } from './snapshot'

export interface SnapshotReaderOptions {
  /** Recompute each blob's id from its plaintext after authentication (default true). */
  verifyIds?: boolean
  /** Bytes of whole tree packs kept in memory (default 64 MiB). */
  treeCacheBytes?: number
  /** Ranged GETs in flight while streaming file content (default 4). */
  readAhead?: number
  signal?: AbortSignal
}

export interface SnapshotListing {
  snapshots: SnapshotInfo[]
  /** Snapshot files that could not be read; never silently dropped. */
  damaged: { id: string; message: string }[]
}

const DECODES_IN_FLIGHT = 8

/** Largest tree pack fetched whole (trees are read many at a time, so whole packs save requests). */
const WHOLE_TREE_PACK_LIMIT = 32 * 1024 * 1024

/**
 * Reads restore points. Every blob is authenticated (and by default its id recomputed) before it
 * is returned; damage is reported as a CairnError naming the pack and blob.
 */
export class SnapshotReader {
  private readonly verifyIds: boolean
  private readonly treeCacheLimit: number
  private readonly readAhead: number
  private readonly treePacks = new Map<string, Promise<Uint8Array>>()
  private treeCacheSize = 0
  private readonly signal: AbortSignal | undefined

  constructor(
    readonly workspace: Workspace,
    readonly index: MemoryIndex,
    options: SnapshotReaderOptions = {},
  ) {
    this.verifyIds = options.verifyIds ?? true
    this.treeCacheLimit = options.treeCacheBytes ?? 64 * 1024 * 1024
    this.readAhead = options.readAhead ?? 4
    this.signal = options.signal
  }

  /** All restore points, oldest first. */
  async listSnapshots(): Promise<SnapshotListing> {
    const ids: string[] = []
    for await (const object of this.workspace.store.list(this.workspace.paths.snapshots, {
      signal: this.signal,
    })) {
      const id = WorkspacePaths.idOf(object.key)
      if (id) ids.push(id)
    }
    const limiter = new Limiter(8)
    const listing: SnapshotListing = { snapshots: [], damaged: [] }
    await Promise.all(
      ids.map((id) =>
        limiter.run(async () => {
          try {
            listing.snapshots.push({ id, snapshot: await this.readSnapshotFile(id) })
          } catch (error) {
            if (!(error instanceof CairnError && error.details?.reason === 'damaged')) throw error
            listing.damaged.push({ id, message: error.message })
          }
        }),
      ),
    )
    listing.snapshots.sort(
      (a, b) => a.snapshot.time.localeCompare(b.snapshot.time) || a.id.localeCompare(b.id),
    )
    return listing
  }

  /** A restore point by full id, unique id prefix (at least 4 hex digits) or "latest". */
  async loadSnapshot(idOrPrefix: string): Promise<SnapshotInfo> {
    if (idOrPrefix === 'latest') {
      const { snapshots } = await this.listSnapshots()
      const latest = snapshots[snapshots.length - 1]
      if (!latest) throw new CairnError('not_found', 'This workspace has no restore points yet.')
      return latest
    }
    if (!/^[0-9a-f]{4,64}$/.test(idOrPrefix)) {
      throw new CairnError(
        'invalid_input',
        'A restore point id is 4 to 64 hexadecimal digits, or "latest".',
      )
    }
    let id = idOrPrefix
    if (idOrPrefix.length < 64) {
      const matches: string[] = []
      for await (const object of this.workspace.store.list(
        `${this.workspace.paths.snapshots}${idOrPrefix}`,
        {
          signal: this.signal,
        },
      )) {
        const found = WorkspacePaths.idOf(object.key)
        if (found) matches.push(found)
      }
      if (matches.length === 0)
        throw new CairnError('not_found', `There is no restore point ${idOrPrefix}.`)
      if (matches.length > 1) {
        throw new CairnError(
          'invalid_input',
          `${idOrPrefix} matches ${matches.length} restore points; give more digits.`,
        )
      }
      id = matches[0]!
    }
    return { id, snapshot: await this.readSnapshotFile(id) }
  }

  private async readSnapshotFile(id: string): Promise<Snapshot> {
    const key = this.workspace.paths.snapshot(id)
    let bytes: Uint8Array
    try {
      bytes = await this.workspace.store.get(key, { signal: this.signal })
    } catch (error) {
      if (error instanceof CairnError && error.code === 'not_found') {
        throw new CairnError('not_found', `There is no restore point ${shortId(id)}.`)
      }
      throw error
    }
    const damaged = (why: string) =>
      damagedError(`Restore point ${shortId(id)} is damaged (${why}).`, { object: key, cause: why })
    let plain: Buffer
    try {
      const { keyVersion } = readSealedHeader(bytes)
      const material = this.workspace.keys.get(keyVersion)
      if (!material)
        throw damaged(`written with key version ${keyVersion}, which this workspace does not have`)
      plain = await openFile(bytes, 'snapshot', material.dataKey, KDF_INFO.workspaceFile)
    } catch (error) {
      if (error instanceof SealedFileError) throw damaged(error.message)
      throw error
    }
    let snapshot: unknown
    try {
      snapshot = JSON.parse(plain.toString('utf8'))
    } catch {
      throw damaged('not JSON')
    }
    const problem = snapshotProblem(snapshot)
    if (problem) throw damaged(problem)
    return snapshot as Snapshot
  }

  locate(id: string): BlobLocation {
    const location = this.index.lookup(id)
    if (!location) throw missingBlob(id)
    return location
  }

  /** One blob's plaintext, authenticated. */
  async readBlob(id: string): Promise<Buffer> {
    const location = this.locate(id)
    const stored =
      location.type === 'tree' && location.pack.length <= WHOLE_TREE_PACK_LIMIT
        ? (await this.treePack(location)).subarray(
            location.offset,
            location.offset + location.length,
          )
        : await this.fetch(location.pack.id, location.offset, location.length)
    return openBlob(this.workspace.keys, location, stored, this.verifyIds)
  }

  /** The entries of a directory. */
  async readTree(id: string): Promise<TreeEntry[]> {
    const location = this.locate(id)
    if (location.type !== 'tree') {
      throw damagedError(`Tree ${shortId(id)} is recorded as a data blob.`, {
        blobId: id,
        packId: location.pack.id,
      })
    }
    const plain = await this.readBlob(id)
    try {
      return decodeTree(plain)
    } catch (error) {
      if (!(error instanceof TreeFormatError)) throw error
      throw damagedError(
        `Tree ${shortId(id)} in pack ${shortId(location.pack.id)} is malformed (${error.message}).`,
        {
          blobId: id,
          packId: location.pack.id,
          cause: error.message,
        },
      )
    }
  }

  /**
   * A file's content as a stream of authenticated chunks, in order. Neighbouring chunks in a pack
   * are fetched with one ranged GET; up to `readAhead` GETs run ahead of the consumer.
   */
  async *readFileContent(content: readonly string[]): AsyncGenerator<Buffer> {
    const ranges = planRanges(content.map((id) => this.locate(id)))
    yield* this.readRanges(ranges)
  }

  /**
   * Blobs of the given ranges, in order. Up to `readAhead` GETs run ahead, and up to 8 blobs are
   * decoded at once (decompression runs on the thread pool), so a restore uses both cores.
   */
  async *readRanges(ranges: readonly PackRange[]): AsyncGenerator<Buffer> {
    const fetches: Promise<Uint8Array>[] = []
    const decodes: Promise<Buffer>[] = []
    let nextFetch = 0
    const startFetches = () => {
      while (nextFetch < ranges.length && fetches.length < this.readAhead) {
        const range = ranges[nextFetch++]!
        const promise = this.fetchRange(range)
        promise.catch(() => {})
        fetches.push(promise)
      }
    }
    for (const range of ranges) {
      startFetches()
      const bytes = await fetches.shift()!
      for (const blob of range.blobs) {
        const decode = this.openFromRange(range, bytes, blob)
        decode.catch(() => {})
        decodes.push(decode)
        if (decodes.length >= DECODES_IN_FLIGHT) yield await decodes.shift()!
      }
    }
    while (decodes.length > 0) yield await decodes.shift()!
  }

  /** The stored bytes of one range (one ranged GET). */
  fetchRange(range: PackRange): Promise<Uint8Array> {
    return this.fetch(range.packId, range.offset, range.length)
  }

  /** One blob of a fetched range, authenticated and decoded. */
  openFromRange(range: PackRange, bytes: Uint8Array, blob: BlobLocation): Promise<Buffer> {
    const start = blob.offset - range.offset
    return openBlob(
      this.workspace.keys,
      blob,
      bytes.subarray(start, start + blob.length),
      this.verifyIds,
    )
  }

  private async fetch(packId: string, offset: number, length: number): Promise<Uint8Array> {
    const key = this.workspace.paths.pack(packId)
    let bytes: Uint8Array
    try {
      bytes = await this.workspace.store.get(key, {
        range: { offset, length },
        signal: this.signal,
      })
    } catch (error) {
      throw mapMissing(error, () =>
        damagedError(`Pack ${shortId(packId)} is missing from the repository.`, {
          packId,
          cause: 'missing',
        }),
      )
    }
    if (bytes.length !== length) {
      throw damagedError(`Pack ${shortId(packId)} is shorter than the index says (truncated).`, {
        packId,
        cause: 'truncated',
      })
    }
    return bytes
  }

  private treePack(location: BlobLocation): Promise<Uint8Array> {
    const packId = location.pack.id
    let cached = this.treePacks.get(packId)
    if (cached) {
      // Move to the back: the map's order is the eviction order.
      this.treePacks.delete(packId)
      this.treePacks.set(packId, cached)
      return cached
    }
    cached = this.fetch(packId, 0, location.pack.length)
    this.treePacks.set(packId, cached)
    this.treeCacheSize += location.pack.length
    cached.catch(() => {
      if (this.treePacks.get(packId) === cached) {
        this.treePacks.delete(packId)
        this.treeCacheSize -= location.pack.length
      }
    })
    while (this.treeCacheSize > this.treeCacheLimit && this.treePacks.size > 1) {
      const [oldest] = this.treePacks.keys()
      const evicted = this.index.pack(oldest!)
      this.treePacks.delete(oldest!)
      this.treeCacheSize -= evicted?.length ?? 0
    }
    return cached
  }
}
