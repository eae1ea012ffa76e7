import { BatchWorkerPool } from '../repo/util/batch-worker-pool'

/**
 * Writes small restored files in worker threads with synchronous file-system calls. A local
 * restore of a developer workspace is tens of thousands of small files, each a handful of calls
 * (open, write, fchown, fchmod, futimes, close, rename); made as promises on the main thread, each
 * call is a libuv thread-pool round trip and a promise, and the main thread (which also fetches,
 * decrypts and decompresses) spent more time submitting them than the kernel spent doing them.
 * A worker makes the same calls back to back; files travel in batches (one message and one
 * transferred buffer per batch) and each file's outcome comes back on its own.
 *
 * The calls and their order are exactly those of local-writer.ts's streaming path: the file is
 * created exclusively under a temporary name (O_EXCL | O_NOFOLLOW: never through a symlink, never
 * over an existing file), written, its owner, mode and mtime set through the descriptor, closed,
 * and only then renamed to its real name; on any failure the temporary file is removed, so no
 * half-written file carries a real name.
 *
 * The pool and its batching are repo/util/batch-worker-pool.ts.
 */
const WORKER_SOURCE = `
const fs = require('node:fs')
const { parentPort } = require('node:worker_threads')
const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants
const FLAGS = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
function allZero(bytes) {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false
  return true
}
function writeOne(file, bytes) {
  let fd = null
  let created = false
  try {
    fd = fs.openSync(file.temp, FLAGS, file.openMode)
    created = true
    // Piece by piece as the streaming path writes them: in a sparse file, all-zero pieces stay holes.
    let start = 0
    for (const length of file.pieces) {
      const piece = bytes.subarray(start, start + length)
      if (!(file.sparse && allZero(piece))) {
        for (let at = 0; at < length; ) at += fs.writeSync(fd, piece, at, length - at, start + at)
      }
      start += length
    }
    if (file.sparse) fs.ftruncateSync(fd, bytes.length)
    // chown first: it clears setuid/setgid, which chmod then sets.
    if (file.chown) fs.fchownSync(fd, file.uid, file.gid)
    if (file.chmod) fs.fchmodSync(fd, file.mode)
    fs.futimesSync(fd, file.mtime, file.mtime)
    const closing = fd
    fd = null
    fs.closeSync(closing)
    fs.renameSync(file.temp, file.path)
    return null
  } catch (error) {
    if (fd !== null) {
      try { fs.closeSync(fd) } catch {}
    }
    // Only what this call created: whatever else sits at the temporary name is left alone.
    if (created) {
      try { fs.rmSync(file.temp, { force: true }) } catch {}
    }
    return { code: error.code ?? null, message: String(error.message ?? error) }
  }
}
parentPort.on('message', (batch) => {
  const all = new Uint8Array(batch.buffer)
  const names = Buffer.from(batch.names)
  const results = []
  let at = 0
  let nameAt = 0
  for (const file of batch.files) {
    file.temp = names.subarray(nameAt, nameAt + file.tempLength)
    file.path = names.subarray(nameAt + file.tempLength, nameAt + file.tempLength + file.pathLength)
    nameAt += file.tempLength + file.pathLength
    results.push(writeOne(file, all.subarray(at, at + file.length)))
    at += file.length
  }
  parentPort.postMessage({ id: batch.id, results })
})
`

/** One file for the pool: where it goes and the metadata to set, as the streaming path sets it. */
export interface PooledFile {
  /** Temporary name next to the real one (created exclusively, removed on failure). */
  temp: Buffer
  /** The real name, reached by rename once the file is complete. */
  path: Buffer
  /** Mode given to open (the final mode when the umask keeps it, else 0600). */
  openMode: number
  mode: number
  /** Set the mode with fchmod after writing. */
  chmod: boolean
  /** Set the owner (uid/gid) with fchown after writing. */
  chown: boolean
  uid: number
  gid: number
  /** Seconds (or a Date before 1970), as utimesSeconds gives it. */
  mtime: number | Date
  /** Leave all-zero content unwritten and set the length (a sparse file). */
  sparse: boolean
}

/** A failed write: the error's errno code (as Node names it) and message. */
export class PooledWriteError extends Error {
  constructor(
    readonly code: string | null,
    message: string,
  ) {
    super(message)
  }
}

interface Job {
  file: PooledFile
  bytes: Buffer[]
  length: number
}

/** One file's outcome from the worker: null, or what failed. */
type Answer = { code: string | null; message: string } | null

export class FileWritePool {
  private readonly pool: BatchWorkerPool<Job, void>

  constructor(size: number) {
    this.pool = new BatchWorkerPool<Job, void>(
      { size, source: WORKER_SOURCE, batchBytes: 1024 * 1024, batchJobs: 64 },
      {
        weight: (job) => job.length,
        encode(jobs) {
          // The files' contents copied once, back to back, into one transferred buffer, and their
          // names into another: a small Buffer is a view into Node's shared 8 KiB pool, which a
          // message would copy whole, twice per file.
          const buffer = new Uint8Array(jobs.reduce((sum, job) => sum + job.length, 0))
          const names = new Uint8Array(
            jobs.reduce((sum, job) => sum + job.file.temp.length + job.file.path.length, 0),
          )
          let at = 0
          let nameAt = 0
          const files = jobs.map((job) => {
            const pieces = job.bytes.map((piece) => {
              buffer.set(piece, at)
              at += piece.length
              return piece.length
            })
            const { temp, path, ...meta } = job.file
            names.set(temp, nameAt)
            names.set(path, nameAt + temp.length)
            nameAt += temp.length + path.length
            return {
              ...meta,
              tempLength: temp.length,
              pathLength: path.length,
              length: job.length,
              pieces,
            }
          })
          return {
            message: { buffer: buffer.buffer, names: names.buffer, files },
            transfer: [buffer.buffer, names.buffer],
          }
        },
        decode: (answer) =>
          (answer.results as Answer[]).map((failure) =>
            failure
              ? { error: new PooledWriteError(failure.code, failure.message) }
              : { ok: undefined },
          ),
      },
    )
  }

  /** Writes one file from its complete content; resolves once it is in place under its name. */
  write(file: PooledFile, bytes: Buffer[]): Promise<void> {
    return this.pool.run({ file, bytes, length: bytes.reduce((sum, b) => sum + b.length, 0) })
  }

  /** Stops the workers; writes not answered yet are rejected (their temporary files may stay). */
  close(): Promise<void> {
    return this.pool.close()
  }
}
