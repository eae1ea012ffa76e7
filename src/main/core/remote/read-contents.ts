import { CairnError } from '../../../shared/errors'
import type { SshConnection } from '../ssh/connection'
import { raw, shellQuote, joinShell } from '../ssh/shell-quote'
import { tarQuote } from './gnu-quoting'
import { readLines } from './stderr-lines'
import { readTar, type TarEntryHeader } from './tar/tar-reader'
import { streamChunks } from './stream-chunks'

/** A file to read; a RemoteEntry from the listing fits. size/mtimeNs enable change detection. */
export interface ContentRequest {
  path: Buffer
  size?: number
  mtimeNs?: bigint
}

export interface FileContent {
  /** The path as requested (raw bytes); `request` is the object that was passed in. */
  path: Buffer
  request: ContentRequest
  /** 'file' with content, or 'hardlink': same inode as `linkTarget`, read earlier in this run. */
  type: 'file' | 'hardlink'
  linkTarget: Buffer | null
  /** Metadata as tar saw it when it opened the file. */
  header: TarEntryHeader
  /**
   * The size or mtime in the tar header differs from the listing: the file changed between the
   * listing and this read. The content is what tar read (consistent with the header), but the
   * listing's metadata is stale.
   */
  changedSinceListing: boolean
  /** The bytes; consume (or abandon) before asking for the next file. */
  content: AsyncIterable<Buffer>
}

export interface FileProblem {
  path: Buffer
  reason: string
}

export interface ReadSummary {
  /** Files tar read while they were being written (tar: "file changed as we read it", "shrank"). */
  changedWhileReading: FileProblem[]
  /** Files that were requested but not read: vanished, unreadable, or no longer a regular file. */
  skipped: FileProblem[]
  /** Diagnostics that name no requested file. */
  warnings: string[]
  bytes: number
  files: number
}

export interface ReadOptions {
  signal?: AbortSignal
  /** 'link' (default): a second name of an inode arrives as a 'hardlink' entry without content. */
  hardLinks?: 'link' | 'dereference'
  /** Ask tar to send sparse files as map + data (holes not transferred). Default true. */
  sparse?: boolean
}

export interface RemoteFileReader {
  /** The files in request order, one at a time. */
  files(): AsyncGenerator<FileContent, void, undefined>
  /** Settles after files() is exhausted and the remote tar has exited. */
  readonly summary: Promise<ReadSummary>
}

/**
 * Streams the contents of `requests` (regular files) from the VM over the connection with one
 * GNU tar: the NUL-separated list goes to tar's stdin, the archive comes back on stdout and is
 * parsed here as it arrives. Backpressure is end to end: a slow consumer stops tar on the VM.
 */
export function readRemoteFiles(
  conn: SshConnection,
  requests: readonly ContentRequest[],
  options: ReadOptions = {},
): RemoteFileReader {
  let resolveSummary!: (s: ReadSummary) => void
  let rejectSummary!: (e: unknown) => void
  const summary = new Promise<ReadSummary>((resolve, reject) => {
    resolveSummary = resolve
    rejectSummary = reject
  })
  summary.catch(() => {})
  let started = false

  async function* files(): AsyncGenerator<FileContent, void, undefined> {
    if (started) throw new Error('files() can be iterated once')
    started = true
    let settled = false
    const failure: { error?: unknown } = {}
    try {
      const result = yield* run(conn, requests, options, failure)
      settled = true
      resolveSummary(result)
    } catch (error) {
      settled = true
      rejectSummary(error)
      throw error
    } finally {
      // The consumer stopped early (break/return): tar was stopped, there is no full summary.
      // Or a file's content failed in the consumer's hands (the error it saw is the reason).
      if (!settled) {
        rejectSummary(
          failure.error ?? new CairnError('cancelled', 'Reading files stopped before the end.'),
        )
      }
    }
  }
  return { files, summary }
}

export function buildTarCommand(options: ReadOptions): Buffer {
  return joinShell([
    raw('exec env LC_ALL=C tar -c -f - -P --no-recursion --format=posix'),
    shellQuote('--pax-option=delete=atime,delete=ctime'),
    raw('--quoting-style=escape --ignore-failed-read'),
    ...(options.sparse === false ? [] : [raw('--sparse --sparse-version=1.0')]),
    ...(options.hardLinks === 'dereference' ? [raw('--hard-dereference')] : []),
    raw('--no-unquote --null --verbatim-files-from -T -'),
  ])
}

async function* run(
  conn: SshConnection,
  requests: readonly ContentRequest[],
  options: ReadOptions,
  failure: { error?: unknown },
): AsyncGenerator<FileContent, ReadSummary, undefined> {
  const result: ReadSummary = {
    changedWhileReading: [],
    skipped: [],
    warnings: [],
    bytes: 0,
    files: 0,
  }
  if (requests.length === 0) return result
  // `path` may be a getter (RemoteEntry): read each once.
  const paths = requests.map((r) => r.path)
  for (const path of paths) {
    if (path.includes(0) || path[0] !== 0x2f) {
      throw new CairnError(
        'invalid_input',
        'Every path to read must be absolute and without NUL bytes.',
      )
    }
  }
  const proc = await conn.exec(
    buildTarCommand(options),
    options.signal ? { signal: options.signal } : {},
  )

  // stderr lines, matched to requests once the stream tells which files were read.
  const diagnostics: string[] = []
  const stderrDone = readLines(proc.stderr, (line) => {
    if (line.trim() !== '') diagnostics.push(line)
  })
  const stdinDone = writeList(proc.stdin, paths)
  stdinDone.catch(() => {})

  let next = 0
  const missing: number[] = []
  let finished = false
  try {
    for await (const entry of readTar(streamChunks(proc.stdout))) {
      const at = findRequest(paths, next, entry.header.path)
      if (at < 0) {
        throw new CairnError(
          'remote_error',
          `tar on ${conn.label} sent a file Cairn did not ask for.`,
        )
      }
      for (let i = next; i < at; i++) missing.push(i)
      next = at + 1
      const request = requests[at] as ContentRequest
      const type = entry.header.type
      if (type !== 'file' && type !== 'hardlink') {
        missing.push(at)
        continue
      }
      result.files++
      const content = counting(
        entry.content,
        (n) => (result.bytes += n),
        (error) => explainFailure(error),
      )
      yield {
        path: paths[at] as Buffer,
        request,
        type,
        linkTarget: type === 'hardlink' ? entry.header.linkTarget : null,
        header: entry.header,
        changedSinceListing:
          type === 'file' &&
          ((request.size !== undefined && request.size !== entry.header.size) ||
            (request.mtimeNs !== undefined && request.mtimeNs !== entry.header.mtimeNs)),
        content,
      }
    }
    for (let i = next; i < requests.length; i++) missing.push(i)
    const [status] = await Promise.all([proc.exit, stderrDone, stdinDone])
    classify(diagnostics, paths, missing, result)
    // 1: some file changed while read (reported above); with --ignore-failed-read unreadable files
    // do not count as errors.
    if (status.code !== 0 && status.code !== 1) {
      throw new CairnError(
        'remote_error',
        status.code === 127
          ? `${conn.label} has no GNU tar; Cairn needs tar on the machine.`
          : `Reading files on ${conn.label} failed: ${lastLines(result.warnings) || `tar exited with ${status.code ?? status.signal}`}`,
      )
    }
    finished = true
    return result
  } catch (error) {
    throw explainFailure(error)
  } finally {
    if (!finished) proc.kill()
  }

  function explainFailure(error: unknown): unknown {
    failure.error ??=
      error instanceof CairnError
        ? error
        : (conn.interruption(options.signal) ??
          new CairnError(
            'remote_error',
            `Reading files on ${conn.label} failed: ${(error as Error).message}`,
          ))
    return failure.error
  }
}

/** The next request with this path, starting at `from` (tar keeps the list order). */
function findRequest(paths: readonly Buffer[], from: number, path: Buffer): number {
  for (let i = from; i < paths.length; i++) {
    if ((paths[i] as Buffer).equals(path)) return i
  }
  return -1
}

async function* counting(
  source: AsyncIterable<Buffer>,
  add: (n: number) => void,
  explain: (error: unknown) => unknown,
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of source) {
      add(chunk.length)
      yield chunk
    }
  } catch (error) {
    throw explain(error)
  }
}

async function writeList(stdin: NodeJS.WritableStream, paths: readonly Buffer[]): Promise<void> {
  const nul = Buffer.alloc(1)
  let batch: Buffer[] = []
  let size = 0
  const flush = async () => {
    const data = Buffer.concat(batch, size)
    batch = []
    size = 0
    if (!stdin.write(data)) await new Promise<void>((resolve) => stdin.once('drain', resolve))
  }
  for (const path of paths) {
    batch.push(path, nul)
    size += path.length + 1
    if (size >= 64 * 1024) await flush()
  }
  if (size > 0) await flush()
  stdin.end()
}

const CHANGED = [': file changed as we read it', ': File shrank by ', ': file shrank by ']

/** Attributes tar's diagnostics to the requested files, by tar's own quoting of each name. */
function classify(
  diagnostics: readonly string[],
  paths: readonly Buffer[],
  missing: readonly number[],
  result: ReadSummary,
): void {
  if (diagnostics.length === 0 && missing.length === 0) return
  const unattributed = new Set(diagnostics)
  const byQuoted = new Map<string, number>()
  if (diagnostics.length > 0) paths.forEach((path, i) => byQuoted.set(tarQuote(path), i))
  const changed = new Set<number>()
  for (const line of diagnostics) {
    if (!line.startsWith('tar: ')) continue
    for (const marker of CHANGED) {
      const at = line.indexOf(marker)
      if (at < 0) continue
      const index = byQuoted.get(line.slice(5, at))
      if (index !== undefined && !changed.has(index)) {
        changed.add(index)
        result.changedWhileReading.push({
          path: paths[index] as Buffer,
          reason: line.slice(at + 2),
        })
        unattributed.delete(line)
      }
    }
  }
  for (const index of missing) {
    const path = paths[index] as Buffer
    const prefix = `tar: ${tarQuote(path)}: `
    const line = diagnostics.find((l) => l.startsWith(prefix))
    if (line) unattributed.delete(line)
    result.skipped.push({
      path,
      reason: line
        ? line.slice(prefix.length).replace(/^Warning: /, '')
        : 'no longer a regular file',
    })
  }
  for (const line of unattributed) {
    if (line === 'tar: Exiting with failure status due to previous errors') continue
    result.warnings.push(line)
  }
}

function lastLines(lines: readonly string[]): string {
  return lines.slice(-3).join('; ')
}
