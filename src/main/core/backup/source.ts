import type { RemoteEntry } from '../remote/list'
import type { ContentRequest, FileProblem } from '../remote/read-contents'

/**
 * One file system entry of a backup source, in the listing's order (depth-first, a directory
 * before its contents). The SSH source yields the remote layer's `RemoteEntry` as is; the local
 * source builds the same shape from lstat. Names are raw bytes, never decoded.
 */
export type SourceEntry = RemoteEntry

export interface SourceWarning {
  /** The absolute path (raw bytes) the warning is about, when known. */
  path: Buffer | null
  message: string
}

export interface ListSourceOptions {
  /** Include/exclude rules (remote/path-filter.ts syntax), defaults and user rules combined. */
  rules: readonly string[]
  signal?: AbortSignal
  /** Unreadable directories and other per-entry problems: reported, never fatal. */
  onWarning?: (warning: SourceWarning) => void
}

/** One file's content as the source reads it. */
export interface SourceFile<R extends ContentRequest = ContentRequest> {
  /** The request object that was passed in. */
  request: R
  /** Size and mtime when the reader opened the file (the content is consistent with these). */
  size: number
  mtimeNs: bigint
  /** Size or mtime differ from the listing: the file changed between listing and reading. */
  changedSinceListing: boolean
  /** The bytes; consume (or abandon) before asking for the next file. */
  content: AsyncIterable<Buffer>
}

export interface SourceReadSummary {
  /** Files that changed while they were read (content may be torn). */
  changedWhileReading: FileProblem[]
  /** Requested files that were not read: vanished, unreadable, no longer a regular file. */
  skipped: FileProblem[]
  /** Diagnostics that name no requested file. */
  warnings: string[]
  files: number
  bytes: number
}

export interface SourceReader<R extends ContentRequest = ContentRequest> {
  /** The readable files in request order, one at a time (skipped ones are left out). */
  files(): AsyncGenerator<SourceFile<R>, void, undefined>
  /** Settles after files() is exhausted; tells which files were skipped or changed. */
  readonly summary: Promise<SourceReadSummary>
}

/** What a source did, for tests and the benchmark (e.g. "the second backup read 3 files"). */
export interface SourceStats {
  listings: number
  entriesListed: number
  /** Read requests (tar runs / file batches) started. */
  reads: number
  filesRead: number
  bytesRead: number
}

/**
 * Where a backup reads from: a VM over SSH (pull, nothing installed there) or a local folder.
 * Both give the same entry shape and the same change detection, so the pipeline does not care.
 */
export interface Source {
  readonly kind: 'ssh' | 'local'
  /** How the source is named in messages ("dev@10.0.0.5:22", "this computer"). */
  readonly label: string
  readonly stats: SourceStats
  /** The host name to record in restore points. */
  hostname(signal?: AbortSignal): Promise<string>
  /**
   * Streams the metadata of everything under `roots` (absolute paths), excluded entries left
   * out. A missing root fails with `not_found` before any entry is yielded.
   */
  list(roots: readonly string[], options: ListSourceOptions): AsyncIterable<SourceEntry>
  /** Streams the contents of regular files, in request order. */
  read<R extends ContentRequest>(
    requests: readonly R[],
    options?: { signal?: AbortSignal },
  ): SourceReader<R>
  /** Releases what the source owns (an SSH connection it opened). */
  close(): Promise<void>
}

export function emptySourceStats(): SourceStats {
  return { listings: 0, entriesListed: 0, reads: 0, filesRead: 0, bytesRead: 0 }
}

/**
 * `source` with `onItem` called per item: a thin iterator rather than an async generator (which
 * costs a promise queue per item; listings have 50k items).
 */
export function counting<T>(source: AsyncIterable<T>, onItem: () => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const inner = source[Symbol.asyncIterator]()
      return {
        next: () =>
          inner.next().then((result) => {
            if (!result.done) onItem()
            return result
          }),
        return: (value?: unknown) =>
          inner.return ? inner.return(value) : Promise.resolve({ done: true, value: undefined }),
        throw: (error?: unknown) => (inner.throw ? inner.throw(error) : Promise.reject(error)),
      }
    },
  }
}
