import { createHash } from 'node:crypto'
import { CairnError } from '../../../../shared/errors'
import { FastCdc, joinParts } from '../chunker/fastcdc'
import { CHUNKER_PARAMS_V1 } from '../chunker/params'
import { encodePlaintext, MIN_COMPRESS, type Encoded } from '../compression/codec'
import { sharedCompressPool } from '../compression/compress-pool'
import { computeBlobIdOfParts, type BlobType } from '../crypto/blob-id'
import { KDF_INFO } from '../crypto/kdf'
import { sealFile } from '../crypto/sealed-file'
import { writeIndexFiles, type IndexCache } from '../index/index-store'
import type { MemoryIndex } from '../index/memory-index'
import { PackWriter, type StoredPack } from '../pack/pack-writer'
import { encodeTree } from '../tree/tree-codec'
import { sortEntries, type TreeEntry } from '../tree/tree-entry'
import { WeightedLimiter } from '../util/limiter'
import type { KeyMaterial } from '../workspace/key-ring'
import type { Workspace } from '../workspace/workspace'
import {
  MAX_SNAPSHOT_WARNINGS,
  type Snapshot,
  type SnapshotInfo,
  type SnapshotStats,
  type SnapshotTrigger,
  type SnapshotWarning,
} from './snapshot'

export interface SnapshotWriterOptions {
  /** Target pack size in bytes (default 16 MiB). */
  packSize?: number
  /**
   * Pack uploads at once per blob type (default 1: the next pack fills while one uploads).
   * Memory: (this + 1) pack buffers of packSize per type (tree packs start small). Two in flight
   * were measured no faster here (the main thread, not the uplink, bounds a full backup) and cost
   * a 17 MiB buffer more of peak RSS; raise it for a slow, high-latency uplink.
   */
  maxPacksInFlight?: number
  /** Write a checkpoint index after this many new packs (default 16, ~256 MiB)... */
  indexEveryPacks?: number
  /** ...or once a stored pack is this old without an index (default 5 minutes). */
  indexEveryMs?: number
  /** Compress blobs where it pays (default true). */
  compress?: boolean
  /**
   * Compress, and compute the ids of new file content, in worker threads (default true; see
   * compression/compress-pool.ts).
   */
  compressOffMainThread?: boolean
  /** Blobs being compressed at once (default 64 with worker threads, else 4). */
  cpuConcurrency?: number
  /**
   * Plaintext bytes of blobs being compressed at once (default 4 MiB). Bounding bytes rather than
   * only the count lets many small blobs share one message to a worker thread (one message per
   * blob or two cost more than their compression) while big blobs stay few.
   */
  cpuBytes?: number
  /**
   * Chunks of one file being processed at once (default 32, ~2 MiB at the normal chunk size; the
   * compression budget `cpuBytes` bounds the bytes further). At 4, a big new file's chunks reached
   * the compression worker four at a time, a round trip each: the bench's 120 MiB video took
   * 1.54 s, at 32 1.30 s, and the 1 GiB full backup 14.5 s instead of 16.0 s.
   */
  chunksInFlightPerFile?: number
  /** Index files this writer stores are also put here (the next load need not GET them). */
  indexCache?: IndexCache
  signal?: AbortSignal
}

export interface FileContentResult {
  /** Data blob ids, in order. */
  content: string[]
  size: number
  /** Blobs of this file that were new (not deduplicated) and their plaintext bytes. */
  addedBlobs: number
  addedBytes: number
}

export interface CommitMeta {
  trigger: SnapshotTrigger
  paths: string[]
  hostname: string
  tree: string
  parent?: string | null
  tags?: string[]
  /** When the backup started (default: when the writer was created). */
  time?: Date
  program?: string
  /** Entries left out or not read completely (kept up to MAX_SNAPSHOT_WARNINGS). */
  warnings?: SnapshotWarning[]
  /** Counts the caller knows better (e.g. when it reused unchanged subtrees without writeTree). */
  stats?: Partial<
    Pick<
      SnapshotStats,
      'files' | 'dirs' | 'symlinks' | 'bytes' | 'filesChangedWhileReading' | 'durationMs'
    >
  >
}

/** How long an aborting writer tries to index the packs it stored. */
const SALVAGE_TIMEOUT_MS = 15_000

interface StoreResult {
  id: string
  added: boolean
  rawLength: number
}

/**
 * Writes one restore point. Feed it file contents (`addFileContent`) and directories bottom-up
 * (`writeTree`), then `commit`. Blobs already in the index (or added earlier in this session) are
 * not stored again. Packs are uploaded as they fill; every `indexEveryPacks` packs (or
 * `indexEveryMs`) a checkpoint index is written for the packs stored so far, so after a crash the
 * next backup finds and reuses them. Nothing becomes visible until `commit` writes the snapshot,
 * after all packs and indexes are stored.
 */
export class SnapshotWriter {
  private readonly key: KeyMaterial
  private readonly packs: Record<BlobType, PackWriter>
  private readonly pending = new Set<string>()
  private readonly appendOrder: Record<BlobType, Promise<void>> = {
    data: Promise.resolve(),
    tree: Promise.resolve(),
  }
  private readonly cpu: WeightedLimiter
  private readonly unindexed: StoredPack[] = []
  private readonly checkpoints = new Set<Promise<void>>()
  private lastIndexAt = Date.now()
  private failure: unknown = null
  private state: 'open' | 'committing' | 'done' = 'open'
  private readonly startedAt = new Date()
  private readonly options: Required<Omit<SnapshotWriterOptions, 'signal' | 'indexCache'>> & {
    signal?: AbortSignal
    indexCache?: IndexCache
  }
  private readonly tally = { files: 0, dirs: 0, symlinks: 0, bytes: 0, filesChangedWhileReading: 0 }
  private readonly added = { blobs: 0, bytes: 0, packs: 0, packBytes: 0, indexFiles: 0 }

  constructor(
    readonly workspace: Workspace,
    readonly index: MemoryIndex,
    options: SnapshotWriterOptions = {},
  ) {
    this.options = {
      packSize: options.packSize ?? 16 * 1024 * 1024,
      maxPacksInFlight: options.maxPacksInFlight ?? 1,
      indexEveryPacks: options.indexEveryPacks ?? 16,
      indexEveryMs: options.indexEveryMs ?? 5 * 60 * 1000,
      compress: options.compress ?? true,
      compressOffMainThread: options.compressOffMainThread ?? true,
      cpuConcurrency: options.cpuConcurrency ?? (options.compressOffMainThread === false ? 4 : 64),
      cpuBytes: options.cpuBytes ?? 4 * 1024 * 1024,
      chunksInFlightPerFile: options.chunksInFlightPerFile ?? 32,
      signal: options.signal,
      ...(options.indexCache ? { indexCache: options.indexCache } : {}),
    }
    this.key = workspace.keys.current
    this.cpu = new WeightedLimiter(this.options.cpuBytes, this.options.cpuConcurrency)
    const packOptions = {
      targetSize: this.options.packSize,
      maxInFlight: this.options.maxPacksInFlight,
      signal: options.signal,
    }
    const onStored = (pack: StoredPack) => this.packStored(pack)
    this.packs = {
      data: new PackWriter(
        workspace.store,
        workspace.paths,
        this.key,
        'data',
        packOptions,
        onStored,
      ),
      tree: new PackWriter(
        workspace.store,
        workspace.paths,
        this.key,
        'tree',
        packOptions,
        onStored,
      ),
    }
  }

  /** Counts of what this writer added so far. */
  get addedStats() {
    return { ...this.added }
  }

  private check(): void {
    if (this.failure) throw this.failure
    if (this.state !== 'open') throw new Error('this snapshot writer is already committed')
  }

  /** Stores one blob unless it is already known; returns its id. */
  async storeBlob(type: BlobType, raw: Uint8Array): Promise<StoreResult> {
    return this.storeParts(type, [raw])
  }

  /**
   * `storeBlob` for a blob given as the views it spans (a chunk from FastCdc.pushParts): its id is
   * hashed over the parts, and only a blob not stored yet is joined into one buffer. In an edited
   * big file most chunks are known: joining each (a copy of every byte re-read, and as much
   * garbage) was wasted work on the main thread.
   */
  private async storeParts(type: BlobType, parts: readonly Uint8Array[]): Promise<StoreResult> {
    this.check()
    const id = computeBlobIdOfParts(this.key.idKey, type, parts).toString('hex')
    if (this.pending.has(id) || this.index.has(id)) {
      let rawLength = 0
      for (const part of parts) rawLength += part.length
      return { id, added: false, rawLength }
    }
    this.pending.add(id)
    const raw = joinParts(parts)
    const work = this.cpu.run(raw.length, async () => ({ id, encoded: await this.encode(raw) }))
    return this.append(type, raw, work, false)
  }

  /**
   * Stores one data blob like `storeBlob`, but computes its id in a worker thread together with
   * its compression, so the main thread does neither. Worth it for content that is mostly new
   * (compressing a blob that then turns out to be known is wasted); `addFileContent` decides.
   */
  private storeNewBlob(raw: Uint8Array): Promise<StoreResult> {
    this.check()
    const work = this.cpu.run(raw.length, async () => {
      const { id, encoded } = await sharedCompressPool().process(raw, {
        idKey: this.key.idKey,
        type: 'data',
        compress: this.options.compress,
      })
      return { id: id!.toString('hex'), encoded }
    })
    return this.append('data', raw, work, true)
  }

  /**
   * Appends a blob to its pack in submission order: blobs enter packs in the order they were
   * submitted, although compression finishes in any order, so files backed up one after another
   * lie one after another in packs, and a restore reads them with few ranged GETs. With
   * `dedupHere` the blob's id was only just computed: a known blob is dropped here, checked in
   * submission order so which copy gets stored does not depend on timing.
   */
  private async append(
    type: BlobType,
    raw: Uint8Array,
    work: Promise<{ id: string; encoded: Encoded }>,
    dedupHere: boolean,
  ): Promise<StoreResult> {
    work.catch(() => {})
    const previous = this.appendOrder[type]
    let appended!: () => void
    this.appendOrder[type] = new Promise<void>((resolve) => (appended = resolve))
    try {
      await previous
      const { id, encoded } = await work
      this.check()
      if (dedupHere) {
        if (this.pending.has(id) || this.index.has(id))
          return { id, added: false, rawLength: raw.length }
        this.pending.add(id)
      }
      this.added.blobs++
      this.added.bytes += raw.length
      await this.packs[type].add(id, raw.length, encoded.codec, encoded.body)
      return { id, added: true, rawLength: raw.length }
    } catch (error) {
      this.failure ??= error
      throw error
    } finally {
      appended()
    }
  }

  private encode(raw: Uint8Array) {
    const { compress, compressOffMainThread } = this.options
    if (compress && compressOffMainThread && raw.length >= MIN_COMPRESS)
      return sharedCompressPool().encode(raw)
    return encodePlaintext(raw, compress, false)
  }

  /**
   * Chunks, deduplicates and stores a file's content from a stream of buffers (which must not be
   * modified after they are yielded). Memory stays bounded: at most `chunksInFlightPerFile`
   * chunks are being compressed/packed while the source is read further.
   */
  async addFileContent(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<FileContentResult> {
    this.check()
    const chunker = new FastCdc(CHUNKER_PARAMS_V1, this.key.gear)
    const results: Promise<StoreResult>[] = []
    let settled = 0
    let size = 0
    // Where a chunk's id is computed: in a worker with its compression while the file's content
    // is new (a full backup: the main thread then only reads, chunks and packs), here first while
    // its chunks turn out to be known (an edited big file: only the changed chunks get compressed).
    const offMainThread = this.options.compressOffMainThread
    let lastWasKnown = false
    const submit = async (parts: Uint8Array[]) => {
      const promise =
        offMainThread && !lastWasKnown
          ? this.storeNewBlob(joinParts(parts))
          : this.storeParts('data', parts)
      promise.then(
        (r) => (lastWasKnown = !r.added),
        () => {},
      )
      results.push(promise)
      while (results.length - settled > this.options.chunksInFlightPerFile) await results[settled++]
    }
    for await (const piece of source) {
      size += piece.length
      for (const parts of chunker.pushParts(piece)) await submit(parts)
    }
    const last = chunker.finishParts()
    if (last) await submit(last)
    const stored = await Promise.all(results)
    let addedBlobs = 0
    let addedBytes = 0
    for (const result of stored) {
      if (result.added) {
        addedBlobs++
        addedBytes += result.rawLength
      }
    }
    return { content: stored.map((r) => r.id), size, addedBlobs, addedBytes }
  }

  /**
   * Whether a blob is stored or being stored by this writer: a caller that reuses an unchanged
   * file's content list from the parent restore point can check it is still there.
   */
  hasBlob(id: string): boolean {
    return this.pending.has(id) || this.index.has(id)
  }

  /**
   * Stores a directory (entries in any order; they are sorted by name) and returns its tree id.
   * Every content blob and subtree it references must already be stored or pending here, so a
   * restore point can never point at data the repository does not have. That is checked here
   * unless the caller says `referencesChecked`: it got every id from this writer (`addFileContent`,
   * `writeTree`, `reuseTree`) or checked it with `hasBlob` (a backup looks each id up once, not
   * twice). A blob once known here stays known: pending ids move to the index when stored.
   */
  async writeTree(
    entries: readonly TreeEntry[],
    options: { referencesChecked?: boolean } = {},
  ): Promise<string> {
    this.check()
    const sorted = sortEntries([...entries])
    if (!options.referencesChecked) {
      for (const entry of sorted) {
        const references = entry.type === 'dir' ? [entry.subtree ?? ''] : (entry.content ?? [])
        const missing = references.find((id) => !this.hasBlob(id))
        if (missing !== undefined) {
          throw new CairnError(
            'internal',
            `A directory entry references ${entry.type === 'dir' ? 'a tree' : 'data'} (${missing.slice(0, 8)}) that is not in the repository.`,
          )
        }
      }
    }
    this.count(sorted)
    return (await this.storeBlob('tree', encodeTree(sorted))).id
  }

  /**
   * Records a directory whose tree is already stored, in place of `writeTree`, and counts its
   * entries as `writeTree` would. The caller vouches that `entries` encode to exactly the stored
   * tree's bytes (tree-equality.ts `encodesSame` against the entries read from that tree, with
   * its id verified on reading) and that their references are checked as for `writeTree`. The
   * id is only accepted when it would also be this writer's id for those bytes: a tree blob in
   * the index under this writer's key version (ids are keyed by the data key), or one this
   * writer is storing. Returns false, recording nothing, otherwise; the caller then writes it.
   */
  reuseTree(id: string, entries: readonly TreeEntry[]): boolean {
    this.check()
    if (!this.pending.has(id)) {
      const location = this.index.lookup(id)
      if (!location || location.type !== 'tree' || location.pack.keyVersion !== this.key.version)
        return false
    }
    this.count(entries)
    return true
  }

  private count(entries: readonly TreeEntry[]): void {
    for (const entry of entries) {
      if (entry.type === 'file') {
        this.tally.files++
        this.tally.bytes += entry.size
        if (entry.changedWhileReading) this.tally.filesChangedWhileReading++
      } else if (entry.type === 'dir') this.tally.dirs++
      else if (entry.type === 'symlink') this.tally.symlinks++
    }
  }

  /**
   * Seals the open packs and waits until every pack is uploaded (commit does this itself; a caller
   * that reports progress calls it first to tell uploading from committing).
   */
  async flush(): Promise<void> {
    this.check()
    await Promise.all([this.packs.data.flush(), this.packs.tree.flush()])
    await this.settleCheckpoints()
    if (this.failure) throw this.failure
  }

  /** Writes the index for the packs stored so far and not yet indexed (commit does it too). */
  async indexStoredPacks(): Promise<void> {
    this.check()
    if (this.unindexed.length === 0) return
    const batch = this.unindexed.splice(0)
    try {
      await this.writeIndex(batch)
    } catch (error) {
      this.unindexed.push(...batch)
      throw error
    }
  }

  /**
   * Flushes packs, writes the index for every pack not yet indexed, then writes the snapshot.
   * If anything fails, no snapshot exists and what was stored is reused by the next backup as
   * far as a checkpoint index covers it.
   */
  async commit(meta: CommitMeta): Promise<SnapshotInfo> {
    this.check()
    this.state = 'committing'
    try {
      await Promise.all([this.packs.data.flush(), this.packs.tree.flush()])
      await this.settleCheckpoints()
      if (this.failure) throw this.failure
      if (this.unindexed.length > 0) {
        const batch = this.unindexed.splice(0)
        try {
          await this.writeIndex(batch)
        } catch (error) {
          this.unindexed.push(...batch)
          throw error
        }
      }
      if (!this.index.has(meta.tree)) {
        throw new CairnError('internal', 'The root tree of this backup was never stored.')
      }
      const snapshot: Snapshot = {
        version: 1,
        workspace: this.workspace.id,
        time: (meta.time ?? this.startedAt).toISOString(),
        trigger: meta.trigger,
        paths: meta.paths,
        hostname: meta.hostname,
        parent: meta.parent ?? null,
        tree: meta.tree,
        keyVersion: this.key.version,
        tags: meta.tags ?? [],
        stats: {
          ...this.tally,
          durationMs: Date.now() - this.startedAt.getTime(),
          ...meta.stats,
          addedBytes: this.added.bytes,
          addedPackBytes: this.added.packBytes,
          addedBlobs: this.added.blobs,
          addedPacks: this.added.packs,
          addedIndexFiles: this.added.indexFiles,
        },
        program: meta.program ?? 'cairn',
      }
      if (meta.warnings && meta.warnings.length > 0) {
        snapshot.warnings = meta.warnings.slice(0, MAX_SNAPSHOT_WARNINGS)
        if (meta.warnings.length > MAX_SNAPSHOT_WARNINGS)
          snapshot.warningsOmitted = meta.warnings.length - MAX_SNAPSHOT_WARNINGS
      }
      const bytes = await sealFile(
        'snapshot',
        this.key.version,
        this.key.dataKey,
        KDF_INFO.workspaceFile,
        Buffer.from(JSON.stringify(snapshot), 'utf8'),
      )
      const id = createHash('sha256').update(bytes).digest('hex')
      await this.workspace.store.put(this.workspace.paths.snapshot(id), bytes, {
        createOnly: true,
        signal: this.options.signal,
      })
      this.state = 'done'
      return { id, snapshot }
    } catch (error) {
      this.failure ??= error
      await this.abort(error)
      throw error
    }
  }

  /**
   * Gives up: stops uploads and waits for running ones, then writes an index for the packs stored
   * since the last checkpoint (best effort, a few seconds at most: the store may be what failed),
   * so the next backup reuses them. Packs it could not index stay as unreferenced packs until a
   * repair indexes or a prune removes them. Returns how many stored packs are left unindexed.
   */
  async abort(
    reason: unknown = new CairnError('cancelled', 'The backup was cancelled.'),
  ): Promise<number> {
    this.failure ??= reason
    await Promise.all([this.packs.data.abort(reason), this.packs.tree.abort(reason)])
    await this.settleCheckpoints()
    this.state = 'done'
    if (this.unindexed.length === 0) return 0
    // Not under the writer's signal: a cancelled backup should still keep what it uploaded.
    const batch = this.unindexed.splice(0)
    try {
      const written = await writeIndexFiles(this.workspace, batch, {
        signal: AbortSignal.timeout(SALVAGE_TIMEOUT_MS),
        ...(this.options.indexCache ? { cache: this.options.indexCache } : {}),
      })
      this.added.indexFiles += written.length
      return 0
    } catch {
      this.unindexed.push(...batch)
      return batch.length
    }
  }

  private packStored(pack: StoredPack): void {
    this.index.addPack(pack)
    for (const blob of pack.blobs) this.pending.delete(blob.id)
    this.added.packs++
    this.added.packBytes += pack.length
    this.unindexed.push(pack)
    const due =
      this.unindexed.length >= this.options.indexEveryPacks ||
      Date.now() - this.lastIndexAt >= this.options.indexEveryMs
    if (due && this.state === 'open') {
      const batch = this.unindexed.splice(0)
      const checkpoint = this.writeIndex(batch).catch(() => {
        // Keep the packs for the final index; a failing store fails the commit there.
        this.unindexed.push(...batch)
      })
      this.checkpoints.add(checkpoint)
      void checkpoint.finally(() => this.checkpoints.delete(checkpoint))
    }
  }

  private async writeIndex(packs: StoredPack[]): Promise<void> {
    this.lastIndexAt = Date.now()
    const written = await writeIndexFiles(this.workspace, packs, {
      ...(this.options.signal ? { signal: this.options.signal } : {}),
      ...(this.options.indexCache ? { cache: this.options.indexCache } : {}),
    })
    this.added.indexFiles += written.length
  }

  private async settleCheckpoints(): Promise<void> {
    while (this.checkpoints.size > 0) await Promise.allSettled([...this.checkpoints])
  }
}
