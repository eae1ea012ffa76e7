import { CairnError } from '../../../shared/errors'
import type { SnapshotWriter } from '../repo'
import { displayName } from '../repo'
import type { Source, SourceEntry } from './source'

/** What became of one file the pipeline asked the source to read. */
export type FileOutcome =
  | {
      kind: 'stored'
      content: string[]
      size: number
      /** The mtime the reader saw when it opened the file (differs from the listing if it changed). */
      mtimeNs: bigint
      changedWhileReading: string | null
      /** The listing's ctime/inode no longer describe the stored content. */
      stale: boolean
    }
  | { kind: 'skipped'; reason: string }

/** A file to read: the request the source sees, and where the outcome goes. */
export interface FileJob {
  readonly path: Buffer
  readonly size: number
  readonly mtimeNs: bigint
  readonly entry: SourceEntry
  readonly outcome: Promise<FileOutcome>
  resolve(outcome: FileOutcome): void
  reject(error: unknown): void
}

export function fileJob(entry: SourceEntry): FileJob {
  let resolve!: (outcome: FileOutcome) => void
  let reject!: (error: unknown) => void
  const outcome = new Promise<FileOutcome>((res, rej) => {
    resolve = res
    reject = rej
  })
  outcome.catch(() => {})
  return {
    path: entry.path,
    size: entry.size,
    mtimeNs: entry.mtimeNs,
    entry,
    outcome,
    resolve,
    reject,
  }
}

export interface FileReaderOptions {
  source: Source
  writer: SnapshotWriter
  signal: AbortSignal
  /** Content bytes arrived from the source. */
  onBytes(n: number): void
  /** A file was read completely. */
  onFile(path: Buffer): void
}

/** Files up to this size are taken into memory and stored in parallel with the next ones. */
const SMALL_FILE = 1024 * 1024
/** Bytes of small files being stored at once (bounds memory; 8 MiB keeps the workers busy). */
const SMALL_FILES_BUDGET = 8 * 1024 * 1024
/** A batch (one `tar` on the VM) starts once this much is waiting, or the listing is done. */
const MIN_BATCH_FILES = 2000
const MIN_BATCH_BYTES = 32 * 1024 * 1024
const MAX_BATCH_FILES = 10_000
/**
 * The listing waits while this many files are listed but not yet stored (bounds memory: each
 * costs ~2-3 KiB of heap with its entry, job, promises and closures; at 10,000 this was a third
 * of a full backup's live heap). Two minimum batches: one being read, the next one queued.
 */
const MAX_UNRESOLVED = 2 * MIN_BATCH_FILES

/**
 * Reads the files the diff says changed, in batches over the source (one `tar` per batch over
 * SSH), while the listing goes on, and stores their contents through the snapshot writer. Small
 * files are buffered and stored while the next ones are read; big files stream through the
 * chunker. Each file's outcome is settled after its batch, when the source has said which files
 * changed while being read or could not be read.
 */
export class FileReader {
  private waiting: FileJob[] = []
  private waitingBytes = 0
  private unresolved = 0
  private listingDone = false
  private listingBlocked = false
  private wakeReader: (() => void) | null = null
  private wakeListing: (() => void) | null = null
  private failure: unknown = null
  private readonly smallBytes = new ByteBudget(SMALL_FILES_BUDGET)
  readonly done: Promise<void>

  constructor(private readonly options: FileReaderOptions) {
    this.done = this.loop()
    this.done.catch(() => {})
  }

  /**
   * Queues a file. Returns a promise only when the listing must wait (memory bound: too many
   * files are listed but not yet stored).
   */
  add(job: FileJob): Promise<void> | void {
    if (this.failure) throw this.failure
    this.waiting.push(job)
    this.waitingBytes += job.size
    this.unresolved++
    void job.outcome.then(
      () => this.settled(),
      () => this.settled(),
    )
    this.wake()
    if (this.unresolved >= MAX_UNRESOLVED) return this.room()
  }

  private async room(): Promise<void> {
    while (this.unresolved >= MAX_UNRESOLVED && !this.failure) {
      this.listingBlocked = true
      this.wake()
      await new Promise<void>((resolve) => (this.wakeListing = resolve))
    }
    this.listingBlocked = false
    if (this.failure) throw this.failure
  }

  /** No more files will come. */
  finish(): void {
    this.listingDone = true
    this.wake()
  }

  /** Stops: queued files fail with `reason`. */
  fail(reason: unknown): void {
    this.failure ??= reason
    for (const job of this.waiting) job.reject(reason)
    this.waiting = []
    this.wake()
    this.wakeListing?.()
  }

  private settled(): void {
    this.unresolved--
    if (this.unresolved < MAX_UNRESOLVED) {
      const wake = this.wakeListing
      this.wakeListing = null
      wake?.()
    }
  }

  private wake(): void {
    const wake = this.wakeReader
    this.wakeReader = null
    wake?.()
  }

  private ready(): boolean {
    if (this.failure) return true
    if (this.waiting.length === 0) return this.listingDone
    return (
      this.listingDone ||
      this.listingBlocked ||
      this.waiting.length >= MIN_BATCH_FILES ||
      this.waitingBytes >= MIN_BATCH_BYTES
    )
  }

  private async loop(): Promise<void> {
    for (;;) {
      while (!this.ready()) await new Promise<void>((resolve) => (this.wakeReader = resolve))
      if (this.failure) throw this.failure
      if (this.waiting.length === 0) return
      const batch = this.waiting.splice(0, MAX_BATCH_FILES)
      this.waitingBytes = this.waiting.reduce((sum, job) => sum + job.size, 0)
      try {
        await this.readBatch(batch)
      } catch (error) {
        for (const job of batch) job.reject(error)
        this.fail(error)
        throw error
      }
    }
  }

  private async readBatch(batch: FileJob[]): Promise<void> {
    const { source, writer, signal } = this.options
    const stored = new Map<
      FileJob,
      {
        read: { size: number; mtimeNs: bigint; changed: boolean }
        result: Promise<Awaited<ReturnType<SnapshotWriter['addFileContent']>>>
      }
    >()
    const reader = source.read(batch, { signal })
    for await (const file of reader.files()) {
      const job = file.request
      const read = { size: file.size, mtimeNs: file.mtimeNs, changed: file.changedSinceListing }
      if (file.size <= SMALL_FILE) {
        const chunks: Buffer[] = []
        let size = 0
        for await (const chunk of file.content) {
          chunks.push(chunk)
          size += chunk.length
          this.options.onBytes(chunk.length)
        }
        await this.smallBytes.acquire(size)
        const result = writer.addFileContent(chunks)
        void result.then(
          () => this.smallBytes.release(size),
          () => this.smallBytes.release(size),
        )
        result.catch(() => {})
        stored.set(job, { read, result })
      } else {
        const onBytes = this.options.onBytes
        const result = writer.addFileContent(
          (async function* () {
            for await (const chunk of file.content) {
              onBytes(chunk.length)
              yield chunk
            }
          })(),
        )
        stored.set(job, { read, result })
        await result
      }
      this.options.onFile(job.path)
    }
    const summary = await reader.summary
    const key = (path: Buffer) => path.toString('latin1')
    const byPath = new Map(batch.map((job) => [key(job.path), job]))
    const changed = new Map<FileJob, string>()
    for (const problem of summary.changedWhileReading) {
      const job = byPath.get(key(problem.path))
      if (job) changed.set(job, problem.reason)
    }
    const skipped = new Map<FileJob, string>()
    for (const problem of summary.skipped) {
      const job = byPath.get(key(problem.path))
      if (job) skipped.set(job, problem.reason)
    }
    for (const job of batch) {
      const entry = stored.get(job)
      if (!entry) {
        job.resolve({ kind: 'skipped', reason: skipped.get(job) ?? 'it could not be read' })
        continue
      }
      const result = await entry.result
      const torn = changed.get(job) ?? null
      job.resolve({
        kind: 'stored',
        content: result.content,
        size: result.size,
        mtimeNs: entry.read.mtimeNs,
        changedWhileReading: torn,
        stale: torn !== null || entry.read.changed || result.size !== entry.read.size,
      })
    }
  }
}

/** A counting semaphore over bytes; a single request larger than the budget still passes alone. */
class ByteBudget {
  private used = 0
  private queue: { n: number; resolve: () => void }[] = []

  constructor(private readonly limit: number) {}

  acquire(n: number): Promise<void> {
    if (this.queue.length === 0 && (this.used === 0 || this.used + n <= this.limit)) {
      this.used += n
      return Promise.resolve()
    }
    return new Promise((resolve) => this.queue.push({ n, resolve }))
  }

  release(n: number): void {
    this.used -= n
    while (this.queue.length > 0) {
      const next = this.queue[0]!
      if (this.used !== 0 && this.used + next.n > this.limit) break
      this.queue.shift()
      this.used += next.n
      next.resolve()
    }
  }
}

export function readFailure(path: Buffer, error: unknown): CairnError {
  if (error instanceof CairnError) return error
  return new CairnError(
    'remote_error',
    `Reading ${displayName(path)} failed: ${(error as Error).message}`,
  )
}
