import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs, { constants, promises as fsp } from 'node:fs'
import { promisify } from 'node:util'
import { CairnError } from '../../../shared/errors'
import type { RestoreEntry, RestoreReport } from '../remote/restore-writer'
import { RestorePathGuard, joinParts } from '../remote/safe-path'
import { FileWritePool } from './file-write-pool'
import { shownPath } from './restore-plan'

const run = promisify(execFile)
const fdOpen = promisify(fs.open) as (path: Buffer, flags: number, mode: number) => Promise<number>
const fdWrite = (fd: number, buffer: Buffer, offset: number, length: number, position: number) =>
  new Promise<number>((resolve, reject) =>
    fs.write(fd, buffer, offset, length, position, (error, written) =>
      error ? reject(error) : resolve(written),
    ),
  )
const fdTruncate = promisify(fs.ftruncate)
const fdChown = promisify(fs.fchown)
const fdChmod = promisify(fs.fchmod)
const fdUtimes = promisify(fs.futimes)
const fdClose = promisify(fs.close)

/**
 * The process's umask, found without process.umask() (deprecated for reading): create a file with
 * mode 0777 in the target and see which bits stayed.
 */
async function probeUmask(dir: string): Promise<number> {
  const probe = `${dir}/.cairn-restore-umask-${randomBytes(6).toString('hex')}`
  try {
    const fd = await fdOpen(
      Buffer.from(probe),
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
      0o777,
    )
    await fdClose(fd)
    const { mode } = await fsp.stat(probe)
    return 0o777 & ~mode
  } catch {
    return 0o777 // unknown: always chmod
  } finally {
    await fsp.rm(probe, { force: true }).catch(() => {})
  }
}

export interface LocalRestoreOptions {
  overwrite?: boolean
  signal?: AbortSignal
  onProgress?: (progress: { files: number; bytes: number; path: Buffer }) => void
}

export type LocalTargetState = 'missing' | 'empty' | 'non-empty' | 'not-a-directory'

/**
 * Small files are taken into memory and written by worker threads (file-write-pool.ts) while the
 * next ones are fetched; at most this many files and bytes wait to be written.
 */
const SMALL_FILE = 1024 * 1024
const WRITES_IN_FLIGHT = 512
const WRITE_BYTES_IN_FLIGHT = 8 * 1024 * 1024
/**
 * Worker threads writing small files. One keeps up: in a 1 GiB restore a second one was idle 94 %
 * of the time, and each thread costs memory (its isolate, its malloc arena).
 */
const WRITE_WORKERS = 1
const WRITE_CHUNK = 1024 * 1024
/** Positional writes of one big file at once. */
const BIG_WRITES_IN_FLIGHT = 8

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code
}

export async function probeLocalTarget(dir: string): Promise<LocalTargetState> {
  try {
    const stat = await fsp.stat(dir)
    if (!stat.isDirectory()) return 'not-a-directory'
  } catch (error) {
    if (errno(error) === 'ENOENT') return 'missing'
    throw writeError(dir, error)
  }
  const handle = await fsp.opendir(dir)
  try {
    return (await handle.read()) ? 'non-empty' : 'empty'
  } finally {
    await handle.close().catch(() => {})
  }
}

/**
 * The time to give Node's utimes for a time in ns. libuv turns a number of seconds back into a
 * timespec and truncates to microseconds; aiming at the middle of the microsecond keeps the float
 * error (~0.2 us at today's dates) from landing in the previous one. Node treats negative numbers
 * as "now", so times before 1970 go as a Date (milliseconds).
 */
export function utimesSeconds(ns: bigint): number | Date {
  if (ns < 0n) {
    const ms = ns / 1_000_000n - (ns % 1_000_000n === 0n ? 0n : 1n)
    return new Date(Number(ms))
  }
  const micros = ns / 1000n
  const sec = micros / 1_000_000n
  const us = micros % 1_000_000n
  return us === 0n ? Number(sec) : Number(sec) + (Number(us) + 0.5) / 1e6
}

function noSpace(error: unknown): boolean {
  return errno(error) === 'ENOSPC' || errno(error) === 'EDQUOT'
}

function writeError(path: string, error: unknown): CairnError {
  if (error instanceof CairnError) return error
  const code = errno(error)
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EROFS'
        ? 'the file system is read-only'
        : code === 'EISDIR'
          ? 'a folder is in the way'
          : code === 'ENOTDIR'
            ? 'a file is in the way of a folder'
            : (error as Error).message
  return new CairnError('storage_failed', `Cairn could not write ${path}: ${why}.`, {
    path,
    errno: code ?? null,
  })
}

interface DirMeta {
  path: string
  mode: number
  mtimeNs: bigint
  uid: number
  gid: number
}

/**
 * Restores entries into a folder on this computer with the same safety rules as the SSH restore
 * (remote/safe-path.ts): refuses escaping paths, never writes through a symlink (symlinks are
 * created after everything else; every folder on the way is checked to be a real folder; files
 * are created exclusively, which never follows a link), writes each file to a temporary name next
 * to it and renames it into place only when complete, so no half-written file ever carries a
 * real name. By default the target must be missing or empty. Modes, mtimes (to the microsecond:
 * Node's limit), symlinks, hard links, empty folders; owners only when running as root.
 */
export async function restoreToLocal(
  target: string,
  entries: AsyncIterable<RestoreEntry & { sparse?: boolean }>,
  options: LocalRestoreOptions = {},
): Promise<RestoreReport> {
  const state = await probeLocalTarget(target)
  if (state === 'not-a-directory') {
    throw new CairnError('conflict', `${target} exists and is not a folder.`)
  }
  if (state === 'non-empty' && !options.overwrite) {
    throw new CairnError(
      'conflict',
      `The folder ${target} is not empty. Restore into an empty folder, or allow Cairn to replace the files it restores (see the preflight for which ones).`,
      { target },
    )
  }
  if (state === 'missing')
    await fsp.mkdir(target, { recursive: true }).catch((e: unknown) => {
      throw writeError(target, e)
    })
  const asRoot = process.getuid?.() === 0
  const ownUid = process.geteuid?.() ?? -1
  const ownGid = process.getegid?.() ?? -1
  const umask = await probeUmask(target)
  const report: RestoreReport = {
    files: 0,
    dirs: 0,
    symlinks: 0,
    hardlinks: 0,
    fifos: 0,
    bytes: 0,
    refused: [],
    warnings: [],
  }
  const guard = new RestorePathGuard()
  const realDirs = new Set<string>([''])
  const dirs: DirMeta[] = []
  const symlinks: { path: string; entry: RestoreEntry }[] = []
  const writes = new Map<string, Promise<void>>()
  const inFlight = new Set<Promise<void>>()
  let bytesInFlight = 0
  const pool = new FileWritePool(WRITE_WORKERS)
  let failure: unknown = null
  let rootMeta: DirMeta | null = null
  const full = (rel: Buffer) => (rel.length === 0 ? target : `${target}/${rel.toString('latin1')}`)
  // Paths are bytes; Node takes Buffers for file names, so build them as Buffers.
  const targetBytes = Buffer.from(target)
  const targetSlash = Buffer.from(`${target}/`)
  const fullPath = (rel: Buffer) =>
    rel.length === 0 ? Buffer.from(targetBytes) : Buffer.concat([targetSlash, rel])
  const shown = (rel: Buffer) => `${target}/${shownPath(rel)}`

  const progress = (path: Buffer) =>
    options.onProgress?.({ files: report.files, bytes: report.bytes, path })

  /** Every folder above `parts` is a real folder (not a symlink), creating missing ones. */
  const checkParents = async (parts: Buffer[]): Promise<string | null> => {
    for (let i = 1; i < parts.length; i++) {
      const rel = joinParts(parts.slice(0, i))
      const k = rel.toString('latin1')
      if (realDirs.has(k)) continue
      try {
        const stat = await fsp.lstat(fullPath(rel))
        if (stat.isSymbolicLink()) return 'a parent folder is a symlink'
        if (!stat.isDirectory()) return 'a parent is not a folder'
      } catch (error) {
        if (errno(error) !== 'ENOENT') throw writeError(shown(rel), error)
        await fsp.mkdir(fullPath(rel), { mode: 0o700 }).catch((e: unknown) => {
          throw writeError(shown(rel), e)
        })
      }
      realDirs.add(k)
    }
    return null
  }

  // Unique per restore and per file: one random part per restore and a counter (randomBytes per
  // file cost ~3 us each of main-thread time, a sixth of a second at 50k files).
  const tempPrefix = `.cairn-restore-${randomBytes(6).toString('hex')}-`
  let tempCount = 0
  const tempName = (rel: Buffer) => {
    const slash = rel.lastIndexOf(0x2f)
    const dir = slash < 0 ? Buffer.alloc(0) : rel.subarray(0, slash + 1)
    return fullPath(
      Buffer.concat([dir, Buffer.from(`${tempPrefix}${(tempCount++).toString(36)}.tmp`)]),
    )
  }

  /** Puts a finished temporary file in place (replacing a file there in overwrite mode). */
  const place = async (temp: Buffer, rel: Buffer) => {
    try {
      await fsp.rename(temp, fullPath(rel))
    } catch (error) {
      await fsp.rm(temp, { force: true }).catch(() => {})
      throw writeError(shown(rel), error)
    }
  }

  /** Owner (as root), mode and mtime of a folder or FIFO, by path (never a symlink here). */
  const applyMeta = async (path: Buffer, entry: RestoreEntry) => {
    const when = utimesSeconds(entry.mtimeNs)
    if (asRoot) await fsp.lchown(path, entry.uid, entry.gid)
    await fsp.chmod(path, entry.mode)
    await fsp.utimes(path, when, when)
  }

  /**
   * Which calls set a file's owner and mode: none when the create mode and the process already
   * give the right result. chown (as root, for another owner) clears setuid/setgid, so chmod
   * follows it.
   */
  const attributeCalls = (entry: RestoreEntry) => {
    const modeAtOpen = (entry.mode & 0o7000) === 0 && (entry.mode & umask) === 0
    const chown = asRoot && (entry.uid !== ownUid || entry.gid !== ownGid)
    return { openMode: modeAtOpen ? entry.mode : 0o600, chmod: !modeAtOpen || chown, chown }
  }

  /**
   * Writes one file under a temporary name and renames it into place. Plain fd calls rather than
   * FileHandles (cheaper at 50k files), and no chmod/chown when the create mode and the process
   * already give the right result: a small file costs open, write, futimes, close, rename.
   */
  const writeFile = async (
    rel: Buffer,
    entry: RestoreEntry & { sparse?: boolean },
    chunks: AsyncIterable<Buffer> | Buffer[],
  ) => {
    const temp = tempName(rel)
    const { openMode, chmod, chown } = attributeCalls(entry)
    let fd: number | null = null
    let created = false
    const writing = new Set<Promise<void>>()
    try {
      fd = await fdOpen(
        temp,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        openMode,
      )
      created = true
      const size = entry.size ?? 0
      let position = 0
      for await (const chunk of chunks) {
        if (position + chunk.length > size) {
          throw new CairnError(
            'internal',
            `The content of ${shown(rel)} is longer than its recorded size; the restore was stopped.`,
          )
        }
        if (!(entry.sparse && isZero(chunk))) {
          // Positional writes, a few at once: awaiting each blob's write before taking the next
          // left the thread pool idle between them (a 180 MiB file restored at ~95 MB/s).
          while (writing.size >= BIG_WRITES_IN_FLIGHT) await Promise.race(writing)
          const write = writeAt(fd, chunk, position)
          writing.add(write)
          write.then(
            () => writing.delete(write),
            () => {},
          )
        }
        position += chunk.length
        report.bytes += chunk.length
      }
      await Promise.all(writing)
      if (position !== size) {
        throw new CairnError(
          'internal',
          `The content of ${shown(rel)} is shorter than its recorded size; the restore was stopped.`,
        )
      }
      // Holes at the end (sparse files) need the length set explicitly.
      if (entry.sparse) await fdTruncate(fd, size)
      // chown first: it clears setuid/setgid, which chmod then sets.
      if (chown) await fdChown(fd, entry.uid, entry.gid)
      if (chmod) await fdChmod(fd, entry.mode)
      const when = utimesSeconds(entry.mtimeNs)
      await fdUtimes(fd, when, when)
      const closing = fd
      fd = null
      await fdClose(closing)
      await place(temp, rel)
      report.files++
      progress(rel)
    } catch (error) {
      // No write may still be running when the descriptor closes (its number could be reused).
      await Promise.allSettled(writing)
      if (fd !== null) await fdClose(fd).catch(() => {})
      // Only what this call created: whatever else sits at the temporary name is left alone.
      if (created) await fsp.rm(temp, { force: true }).catch(() => {})
      throw fileFailure(rel, error)
    }
  }

  /** What a failed file write tells the user (the incomplete file is already removed). */
  const fileFailure = (rel: Buffer, error: unknown): CairnError => {
    if (noSpace(error)) {
      return new CairnError(
        'storage_failed',
        `The disk holding ${target} is full: Cairn could not write ${shown(rel)}. ${report.files} files were restored completely before that; the incomplete file was removed. Free some space (or choose another folder) and restore again.`,
        { reason: 'no_space', failedPath: shown(rel), restoredFiles: report.files },
      )
    }
    return writeError(shown(rel), error)
  }

  /**
   * A small file, complete in memory, written by the pool with the same calls as `writeFile`
   * (exclusive create under a temporary name, content, owner, mode, mtime, rename).
   */
  const writeSmallFile = async (
    rel: Buffer,
    entry: RestoreEntry & { sparse?: boolean },
    chunks: Buffer[],
    size: number,
  ) => {
    const length = chunks.reduce((sum, c) => sum + c.length, 0)
    if (length !== size) {
      throw new CairnError(
        'internal',
        `The content of ${shown(rel)} is ${length > size ? 'longer' : 'shorter'} than its recorded size; the restore was stopped.`,
      )
    }
    try {
      await pool.write(
        {
          temp: tempName(rel),
          path: fullPath(rel),
          ...attributeCalls(entry),
          mode: entry.mode,
          uid: entry.uid,
          gid: entry.gid,
          mtime: utimesSeconds(entry.mtimeNs),
          sparse: entry.sparse === true,
        },
        chunks,
      )
    } catch (error) {
      throw fileFailure(rel, error)
    }
    report.bytes += size
    report.files++
    progress(rel)
  }

  const track = (key: string, work: Promise<void>) => {
    const guarded = work.catch((error: unknown) => {
      failure ??= error
    })
    writes.set(key, work)
    work.catch(() => {})
    inFlight.add(guarded)
    void guarded.finally(() => inFlight.delete(guarded))
  }

  try {
    for await (const entry of entries) {
      options.signal?.throwIfAborted()
      if (failure) throw failure
      const verdict = guard.check(entry)
      if (!verdict.ok) {
        report.refused.push({ path: entry.path, reason: verdict.reason, message: verdict.message })
        continue
      }
      const rel = verdict.path
      const k = rel.toString('latin1')
      const parentProblem = await checkParents(verdict.parts)
      if (parentProblem) {
        report.refused.push({ path: rel, reason: 'through-symlink', message: parentProblem })
        continue
      }
      const meta = {
        path: k,
        mode: entry.mode,
        mtimeNs: entry.mtimeNs,
        uid: entry.uid,
        gid: entry.gid,
      }
      switch (entry.type) {
        case 'dir': {
          if (verdict.parts.length === 0) {
            rootMeta = meta
            break
          }
          if (!(await makeDir(rel))) {
            // As over SSH: a symlink already at the target is neither followed nor replaced by a
            // folder; this entry and everything below it are refused.
            report.refused.push({
              path: rel,
              reason: 'through-symlink',
              message: 'a symlink is in the way at the target',
            })
            break
          }
          realDirs.add(k)
          dirs.push(meta)
          report.dirs++
          break
        }
        case 'file': {
          const size = entry.size ?? 0
          if (size <= SMALL_FILE) {
            const chunks: Buffer[] = []
            for await (const chunk of entry.content ?? []) chunks.push(chunk)
            while (
              inFlight.size >= WRITES_IN_FLIGHT ||
              (inFlight.size > 0 && bytesInFlight + size > WRITE_BYTES_IN_FLIGHT)
            )
              await Promise.race(inFlight)
            if (failure) throw failure
            bytesInFlight += size
            const written = writeSmallFile(rel, entry, chunks, size)
            void written.then(
              () => (bytesInFlight -= size),
              () => (bytesInFlight -= size),
            )
            track(k, written)
          } else {
            await writeFile(rel, entry, entry.content ?? [])
          }
          break
        }
        case 'hardlink': {
          const to = entry.linkTarget ?? Buffer.alloc(0)
          await writes.get(to.toString('latin1'))
          const temp = tempName(rel)
          try {
            await fsp.link(fullPath(to), temp)
          } catch (error) {
            throw writeError(shown(rel), error)
          }
          await place(temp, rel)
          report.hardlinks++
          break
        }
        case 'symlink':
          symlinks.push({ path: k, entry })
          break
        case 'fifo': {
          try {
            await run('mkfifo', ['-m', (entry.mode & 0o777).toString(8), '--', full(rel)])
            await applyMeta(fullPath(rel), entry)
            report.fifos++
          } catch {
            report.warnings.push(`${shown(rel)}: the named pipe could not be created`)
          }
          break
        }
        default:
          break
      }
    }
    await Promise.all(inFlight)
    if (failure) throw failure
    // Symlinks last: nothing of this restore can be written through one of them.
    for (const { path, entry } of symlinks) {
      const rel = Buffer.from(path, 'latin1')
      const temp = tempName(rel)
      try {
        await fsp.symlink(entry.linkTarget ?? Buffer.alloc(0), temp)
        if (asRoot) await fsp.lchown(temp, entry.uid, entry.gid)
        const when = utimesSeconds(entry.mtimeNs)
        await fsp.lutimes(temp, when, when)
      } catch (error) {
        await fsp.rm(temp, { force: true }).catch(() => {})
        throw writeError(shown(rel), error)
      }
      await place(temp, rel)
      report.symlinks++
    }
    // Folder modes and mtimes last, deepest first: writing into a folder changes its mtime, and
    // a read-only folder must stay writable until its contents are in.
    for (const dir of [...dirs].reverse()) {
      await applyMeta(fullPath(Buffer.from(dir.path, 'latin1')), dir as unknown as RestoreEntry)
    }
    if (rootMeta) await applyMeta(Buffer.from(target), rootMeta as unknown as RestoreEntry)
    return report
  } catch (error) {
    await Promise.allSettled(inFlight)
    throw error
  } finally {
    await pool.close()
  }

  /** Creates a folder (false: a symlink is at its place, which is left alone). */
  async function makeDir(rel: Buffer): Promise<boolean> {
    try {
      await fsp.mkdir(fullPath(rel), { mode: 0o700 })
      return true
    } catch (error) {
      if (errno(error) !== 'EEXIST') throw writeError(shown(rel), error)
      const stat = await fsp.lstat(fullPath(rel))
      if (stat.isDirectory()) return true
      if (stat.isSymbolicLink()) return false
      // Overwrite mode: a file where the folder goes is replaced.
      await fsp.rm(fullPath(rel), { force: true })
      await fsp.mkdir(fullPath(rel), { mode: 0o700 }).catch((e: unknown) => {
        throw writeError(shown(rel), e)
      })
      return true
    }
  }
}

const ZEROS = Buffer.alloc(256 * 1024)

/** Writes all of `chunk` at `position` (a write may take less than asked). */
async function writeAt(fd: number, chunk: Buffer, position: number): Promise<void> {
  for (let at = 0; at < chunk.length;) {
    at += await fdWrite(fd, chunk, at, Math.min(WRITE_CHUNK, chunk.length - at), position + at)
  }
}

function isZero(chunk: Buffer): boolean {
  for (let at = 0; at < chunk.length; at += ZEROS.length) {
    const part = chunk.subarray(at, at + ZEROS.length)
    if (!part.equals(ZEROS.subarray(0, part.length))) return false
  }
  return true
}
