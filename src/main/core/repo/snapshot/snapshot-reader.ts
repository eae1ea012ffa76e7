import { CairnError } from '../../../../shared/errors'
import { KDF_INFO } from '../crypto/kdf'
import { openFile, readSealedHeader, SealedFileError } from '../crypto/sealed-file'
import { damagedError, mapMissing, missingBlob } from '../errors'
import type { BlobLocation, MemoryIndex } from '../index/memory-index'
import { sharedBlobOpenPool } from '../pack/blob-open-pool'
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
  /**
   * Open data blobs (decrypt, decompress, check the id) in worker threads (default true; see
   * pack/blob-open-pool.ts). Trees are always opened here: they are small and wanted at once.
   */
  openOffMainThread?: boolean
  signal?: AbortSignal
}

export interface SnapshotListing {
  snapshots: SnapshotInfo[]
  /** Snapshot files that could not be read; never silently dropped. */
  damaged: { id: string; message: string }[]
}

/**
 * Blobs being opened at once while streaming: enough to fill a worker thread's batches (~1 MiB),
 * and a bound on the memory of opened blobs waiting for their turn (at most 256 KiB each).
 */
const DECODES_IN_FLIGHT = 32
const WINDOW_BLOBS = 4096
const WINDOW_BYTES = 32 * 1024 * 1024

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
  private readonly openOffMainThread: boolean
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
    this.openOffMainThread = options.openOffMainThread ?? true
    this.signal = options.signal
  }

  /** Whether every blob's id is recomputed from its plaintext on reading (`verifyIds`). */
  get verifiesIds(): boolean {
    return this.verifyIds
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
   * A file's content as a stream of authenticated chunks, in order (see `readBlobs`).
   */
  async *readFileContent(content: readonly string[]): AsyncGenerator<Buffer> {
    for (let start = 0; start < content.length; start += WINDOW_BLOBS) {
      const window = content.slice(start, start + WINDOW_BLOBS)
      yield* this.readBlobs(window.map((id) => this.locate(id)))
    }
  }

  /**
   * The content of many files, in order, as one stream: what a restore uses. Files are taken
   * from `files` in windows (~4096 blobs or 32 MiB stored), and each window is read with as few
   * ranged GETs as its blobs' places in the packs allow, whatever the order of the files (restore
   * walks names sorted, backup walked them in listing order). The next window is planned before
   * the current one is handed out, so its GETs start while the current one's last blobs are still
   * being opened and written: windows do not drain the pipeline. Every file yields at least one
   * event (an empty file one with empty data); its last event has `last: true`.
   */
  async *readFiles<T extends { content?: readonly string[] }>(
    files: Iterable<T> | AsyncIterable<T>,
  ): AsyncGenerator<{ file: T; data: Buffer; last: boolean }> {
    const stream = new BlobStream(this, this.readAhead)
    let window: T[] = []
    let locations: BlobLocation[] = []
    let bytes = 0
    let planned: T[] | null = null
    const emit = async function* (batch: T[]) {
      for (const file of batch) {
        const count = file.content?.length ?? 0
        if (count === 0) yield { file, data: Buffer.alloc(0), last: true }
        for (let i = 0; i < count; i++)
          yield { file, data: await stream.next(), last: i === count - 1 }
      }
    }
    try {
      for await (const file of files) {
        window.push(file)
        for (const id of file.content ?? []) {
          const location = this.locate(id)
          locations.push(location)
          bytes += location.length
        }
        if (locations.length >= WINDOW_BLOBS || bytes >= WINDOW_BYTES) {
          stream.add(locations)
          if (planned) yield* emit(planned)
          planned = window
          window = []
          locations = []
          bytes = 0
        }
      }
      stream.add(locations)
      if (planned) yield* emit(planned)
      yield* emit(window)
    } finally {
      await stream.close()
    }
  }

  /**
   * Blobs in the order given, authenticated (see BlobStream). Memory is bounded by the stored size
   * of the blobs asked for, so callers pass windows, not whole snapshots.
   */
  async *readBlobs(locations: readonly BlobLocation[]): AsyncGenerator<Buffer> {
    const stream = new BlobStream(this, this.readAhead)
    try {
      stream.add(locations)
      for (let i = 0; i < locations.length; i++) yield await stream.next()
    } finally {
      await stream.close()
    }
  }

  /** The stored bytes of one range (one ranged GET). */
  fetchRange(range: PackRange): Promise<Uint8Array> {
    return this.fetch(range.packId, range.offset, range.length)
  }

  /** One blob of a fetched range, authenticated and decoded. */
  openFromRange(range: PackRange, bytes: Uint8Array, blob: BlobLocation): Promise<Buffer> {
    const start = blob.offset - range.offset
    const stored = bytes.subarray(start, start + blob.length)
    if (this.openOffMainThread && blob.type === 'data')
      return sharedBlobOpenPool().open(this.workspace.keys, blob, stored, this.verifyIds)
    return openBlob(this.workspace.keys, blob, stored, this.verifyIds)
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

/**
 * Blobs, in the order they were added, authenticated. Each `add` is planned on its own: its ranged
 * GETs cover its blobs sorted by pack and offset (neighbours share a GET); GETs are started in the
 * order they are first needed, up to `readAhead` ahead across everything added so far, and each
 * range's bytes are dropped once its last blob is opened; up to DECODES_IN_FLIGHT blobs are opened
 * at once (data blobs in worker threads).
 */
class BlobStream {
  private readonly items: { location: BlobLocation; range: PackRange }[] = []
  private nextItem = 0
  private readonly order: PackRange[] = []
  private nextFetch = 0
  private readonly uses = new Map<PackRange, number>()
  private readonly fetched = new Map<PackRange, Promise<Uint8Array>>()
  private readonly decodes: Promise<Buffer>[] = []

  constructor(
    private readonly reader: SnapshotReader,
    private readonly readAhead: number,
  ) {}

  add(locations: readonly BlobLocation[]): void {
    const key = (l: BlobLocation) => `${l.pack.id}:${l.offset}`
    const unique = new Map<string, BlobLocation>()
    for (const location of locations) unique.set(key(location), location)
    const sorted = [...unique.values()].sort((a, b) =>
      a.pack.id < b.pack.id ? -1 : a.pack.id > b.pack.id ? 1 : a.offset - b.offset,
    )
    const rangeOf = new Map<string, PackRange>()
    for (const range of planRanges(sorted))
      for (const blob of range.blobs) rangeOf.set(key(blob), range)
    for (const location of locations) {
      const range = rangeOf.get(key(location))!
      if (!this.uses.has(range)) this.order.push(range)
      this.uses.set(range, (this.uses.get(range) ?? 0) + 1)
      this.items.push({ location, range })
    }
  }

  /** The next blob's plaintext. */
  async next(): Promise<Buffer> {
    while (this.decodes.length < DECODES_IN_FLIGHT && this.nextItem < this.items.length) {
      const { location, range } = this.items[this.nextItem]!
      // Done with the item's slot: a long restore would otherwise keep every location.
      this.items[this.nextItem++] = undefined as never
      // Ranges start in order of first need, so this reaches the current one.
      while (!this.fetched.has(range)) this.startFetch()
      while (this.nextFetch < this.order.length && this.fetched.size < this.readAhead)
        this.startFetch()
      const bytes = await this.fetched.get(range)!
      const decode = this.reader.openFromRange(range, bytes, location)
      decode.catch(() => {})
      this.decodes.push(decode)
      const left = this.uses.get(range)! - 1
      if (left === 0) {
        this.uses.delete(range)
        this.fetched.delete(range)
      } else this.uses.set(range, left)
    }
    const next = this.decodes.shift()
    if (!next) throw new Error('blob reader ended early')
    return next
  }

  /** Waits for what is still running (a consumer that stops early leaves nothing behind). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.decodes, ...this.fetched.values()])
  }

  private startFetch(): void {
    const range = this.order[this.nextFetch]!
    this.order[this.nextFetch++] = undefined as never
    const promise = this.reader.fetchRange(range)
    promise.catch(() => {})
    this.fetched.set(range, promise)
  }
}
