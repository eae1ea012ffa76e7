import { CairnError } from '../../../shared/errors'
import type { RemoteProcess, SshConnection } from '../ssh/connection'
import { shScript } from '../ssh/shell-quote'
import { unescapeQuoted } from './gnu-quoting'
import { listRemote } from './list'
import { RestorePathGuard, normalizeRelativePath, joinParts, type SafeEntryType } from './safe-path'
import { readLines } from './stderr-lines'
import { END_OF_ARCHIVE, encodeEntryHeader, padding } from './tar/tar-writer'

/** One entry to restore, in tree order (a directory before its contents). */
export interface RestoreEntry {
  /** Relative to the target, raw bytes; empty for the target directory itself. */
  path: Buffer
  type: SafeEntryType
  mode: number
  uid: number
  gid: number
  user?: string | null
  group?: string | null
  mtimeNs: bigint
  /** Regular files: the exact content length. */
  size?: number
  /**
   * Regular files: the bytes, consumed once before the next entry is requested. Refused entries'
   * content is never read (abandoned). Chunks are held until written: do not reuse their memory.
   */
  content?: AsyncIterable<Buffer>
  /** Symlinks: the link text. Hard links: the path (relative to the target) of the file. */
  linkTarget?: Buffer | null
}

export interface RefusedEntry {
  path: Buffer
  reason: string
  message: string
}

export interface RestoreReport {
  files: number
  dirs: number
  symlinks: number
  hardlinks: number
  fifos: number
  bytes: number
  /** Entries not written because they would escape the target or are otherwise unsafe. */
  refused: RefusedEntry[]
  /** tar diagnostics that did not fail the restore (e.g. timestamps in the future). */
  warnings: string[]
}

export interface RestoreProgress {
  files: number
  bytes: number
  path: Buffer
}

export type OwnerMode =
  /** As root: owners from the restore point, by name where the name exists (else by id). Otherwise the login user. */
  | 'auto'
  /** As root: owners by numeric id only. */
  | 'numeric'
  /** Everything owned by the login user, whoever that is. */
  | 'login-user'

export interface RestoreOptions {
  /** Allow writing into a non-empty target; existing files at restored paths are replaced. */
  overwrite?: boolean
  owner?: OwnerMode
  signal?: AbortSignal
  onProgress?: (progress: RestoreProgress) => void
}

export type TargetState = 'missing' | 'empty' | 'non-empty' | 'not-a-directory'

export interface TargetProbe {
  state: TargetState
  /** The login user on the target is root (owners can be restored). */
  root: boolean
}

export interface Conflict {
  path: Buffer
  /** What is at the target now. */
  existingType: string
  /** What the restore would write there. */
  entryType: string
}

export interface PreflightResult {
  state: TargetState
  /** Restore paths that exist at the target and would be replaced (directories merge: not listed). */
  conflicts: Conflict[]
  /** Restore paths that would be refused because a parent is a symlink at the target. */
  blockedBySymlink: Buffer[]
}

/** Whether the target exists, is empty, and whether the login user is root. */
export async function probeTarget(
  conn: SshConnection,
  target: string,
  signal?: AbortSignal,
): Promise<TargetProbe> {
  checkTarget(target)
  const script =
    't=$1; echo "uid $(id -u)"; ' +
    'if [ -d "$t" ]; then ' +
    'if [ -n "$(find "$t" -mindepth 1 -maxdepth 1 -print -quit 2>/dev/null)" ]; then echo non-empty; else echo empty; fi; ' +
    'elif [ -e "$t" ] || [ -h "$t" ]; then echo not-a-directory; else echo missing; fi'
  const result = await conn.run(shScript(script, [target]), signal ? { signal } : {})
  const lines = result.stdout.toString('utf8').trim().split('\n')
  const uid = /^uid (\d+)$/.exec(lines[0] ?? '')
  const state = lines[1] as TargetState | undefined
  if (result.code !== 0 || !uid || !state) {
    throw new CairnError('remote_error', `Cairn could not inspect ${target} on ${conn.label}.`)
  }
  return { state, root: uid[1] === '0' }
}

/**
 * What a restore of `entries` into `target` would replace, without writing anything: existing
 * non-directories at restored paths, and paths below a symlink that exists at the target.
 */
export async function preflightRestore(
  conn: SshConnection,
  target: string,
  entries: Iterable<{ path: Buffer; type: string }> | AsyncIterable<{ path: Buffer; type: string }>,
  signal?: AbortSignal,
): Promise<PreflightResult> {
  const probe = await probeTarget(conn, target, signal)
  const result: PreflightResult = { state: probe.state, conflicts: [], blockedBySymlink: [] }
  if (probe.state !== 'non-empty') return result
  const existing = await existingTypes(conn, target, signal)
  const symlinks = [...existing].filter(([, t]) => t === 'symlink').map(([k]) => k)
  const symlinkSet = new Set(symlinks)
  for await (const entry of entries) {
    const parts = normalizeRelativePath(entry.path)
    if (!Array.isArray(parts) || parts.length === 0) continue
    const k = joinParts(parts).toString('latin1')
    for (let i = 1; i < parts.length; i++) {
      if (symlinkSet.has(joinParts(parts.slice(0, i)).toString('latin1'))) {
        result.blockedBySymlink.push(Buffer.from(k, 'latin1'))
        break
      }
    }
    const there = existing.get(k)
    if (there !== undefined && !(there === 'dir' && entry.type === 'dir')) {
      result.conflicts.push({
        path: Buffer.from(k, 'latin1'),
        existingType: there,
        entryType: entry.type,
      })
    }
  }
  return result
}

async function existingTypes(
  conn: SshConnection,
  target: string,
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const map = new Map<string, string>()
  for await (const e of listRemote(conn, [target], { rules: [], ...(signal ? { signal } : {}) })) {
    if (e.relPath.length > 0) map.set(e.relPath.toString('latin1'), e.type)
  }
  return map
}

/**
 * Restores `entries` into the directory `target` on the SSH host by streaming a tar archive into
 * `tar -x` there. By default the target must be missing or empty; with `overwrite`, existing files
 * at restored paths are replaced but nothing is ever written through a symlink.
 */
export async function restoreToRemote(
  conn: SshConnection,
  target: string,
  entries: AsyncIterable<RestoreEntry> | Iterable<RestoreEntry>,
  options: RestoreOptions = {},
): Promise<RestoreReport> {
  const probe = await probeTarget(conn, target, options.signal)
  if (probe.state === 'not-a-directory') {
    throw new CairnError('conflict', `${target} on ${conn.label} exists and is not a folder.`)
  }
  if (probe.state === 'non-empty' && !options.overwrite) {
    throw new CairnError(
      'conflict',
      `The folder ${target} on ${conn.label} is not empty. Restore into an empty folder, or allow ` +
        `Cairn to replace the files it restores (see the preflight for which ones).`,
      { target },
    )
  }
  const existingSymlinks =
    probe.state === 'non-empty'
      ? [...(await existingTypes(conn, target, options.signal))]
          .filter(([, t]) => t === 'symlink')
          .map(([k]) => Buffer.from(k, 'latin1'))
      : []
  const guard = new RestorePathGuard(existingSymlinks)
  const owner = options.owner ?? 'auto'
  const ownerFlags =
    !probe.root || owner === 'login-user'
      ? '--no-same-owner'
      : owner === 'numeric'
        ? '--same-owner --numeric-owner'
        : '--same-owner'
  // Not --keep-old-files even for an empty target: with it GNU tar skips the metadata of any
  // directory that already exists, including the target itself (created by mkdir -p).
  const script =
    'mkdir -p -- "$1" && cd -- "$1" && exec env LC_ALL=C tar -x -f - -p --delay-directory-restore ' +
    // Old and future timestamps are restored as they were, not worth a warning each.
    '--warning=no-timestamp ' +
    `--quoting-style=escape ${ownerFlags}`
  const proc = await conn.exec(
    shScript(script, [target]),
    options.signal ? { signal: options.signal } : {},
  )

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
  const errors: string[] = []
  let noSpace: string | null = null
  const stderrDone = readLines(proc.stderr, (line) => {
    if (line.trim() === '' || line === 'tar: Exiting with failure status due to previous errors')
      return
    if (/No space left on device|Disk quota exceeded/.test(line)) {
      if (noSpace === null) {
        noSpace = line
        proc.kill()
      }
      return
    }
    if (WRITE_FAILURE.test(line) || /: Directory renamed|: Not a directory/.test(line))
      errors.push(line)
    else report.warnings.push(line)
  })
  const out = new CoalescingWriter(proc)
  const stdoutDrain = drain(proc)
  const written: string[] = []
  const deferredLinks: { header: Buffer; path: Buffer }[] = []
  let finished = false
  try {
    for await (const entry of entries) {
      if (noSpace !== null) break
      const verdict = guard.check(entry)
      if (!verdict.ok) {
        report.refused.push({ path: entry.path, reason: verdict.reason, message: verdict.message })
        continue
      }
      const isRoot = verdict.parts.length === 0
      const name = isRoot
        ? Buffer.from('./')
        : entry.type === 'dir'
          ? Buffer.concat([verdict.path, Buffer.from('/')])
          : verdict.path
      let linkTarget: Buffer | null = null
      if (entry.type === 'hardlink') {
        const parts = normalizeRelativePath(entry.linkTarget ?? Buffer.alloc(0))
        linkTarget = Array.isArray(parts) ? joinParts(parts) : null
      } else if (entry.type === 'symlink') linkTarget = entry.linkTarget ?? Buffer.alloc(0)
      const size = entry.type === 'file' ? (entry.size ?? 0) : 0
      const header = encodeEntryHeader({
        path: name,
        type: entry.type,
        mode: entry.mode,
        uid: entry.uid,
        gid: entry.gid,
        uname: entry.user ?? null,
        gname: entry.group ?? null,
        size,
        mtimeNs: entry.mtimeNs,
        linkTarget,
      })
      if (entry.type === 'symlink') {
        // Written last, so that no entry of this restore can be redirected through one.
        deferredLinks.push({ header, path: verdict.path })
        continue
      }
      await out.write(header)
      if (entry.type === 'file') {
        let sent = 0
        if (entry.content) {
          for await (const chunk of entry.content) {
            sent += chunk.length
            if (sent > size) break
            await out.write(chunk)
            report.bytes += chunk.length
          }
        }
        if (sent !== size) {
          throw new CairnError(
            'internal',
            `The content of ${printable(verdict.path)} is ${sent > size ? 'longer' : 'shorter'} than its recorded size; the restore was stopped.`,
          )
        }
        await out.write(padding(size))
        report.files++
      } else if (entry.type === 'dir') report.dirs++
      else if (entry.type === 'hardlink') report.hardlinks++
      else if (entry.type === 'fifo') report.fifos++
      written.push(verdict.path.toString('latin1'))
      options.onProgress?.({ files: report.files, bytes: report.bytes, path: verdict.path })
    }
    for (const link of deferredLinks) {
      if (noSpace !== null) break
      await out.write(link.header)
      report.symlinks++
      written.push(link.path.toString('latin1'))
    }
    await out.write(END_OF_ARCHIVE)
    await out.end()
    const [status] = await Promise.all([proc.exit, stderrDone, stdoutDrain])
    if (noSpace !== null) throw noSpaceError(conn, target, [...errors, noSpace], written, report)
    if (status.code !== 0 || errors.length > 0) {
      throw new CairnError(
        'remote_error',
        `Restoring into ${target} on ${conn.label} failed: ${errors.slice(0, 3).join('; ') || `tar exited with ${status.code ?? status.signal}`}`,
        { restored: summary(report), errors: errors.slice(0, 20) },
      )
    }
    finished = true
    return report
  } catch (error) {
    if (noSpace !== null) {
      await Promise.allSettled([proc.exit, stderrDone])
      throw noSpaceError(conn, target, [...errors, noSpace], written, report)
    }
    if (error instanceof CairnError) throw error
    // A write failure usually means the remote side went away: its reason is the better message.
    const interruption = conn.interruption(options.signal)
    if (interruption) throw interruption
    proc.kill()
    await Promise.race([stderrDone.catch(() => {}), new Promise((r) => setTimeout(r, 1000))])
    throw new CairnError(
      'remote_error',
      `Restoring into ${target} on ${conn.label} failed: ${errors.slice(0, 3).join('; ') || (error as Error).message}`,
    )
  } finally {
    if (!finished) proc.kill()
  }
}

/** tar's per-file write failures; a short write ("Wrote only") is how a full disk first shows. */
const WRITE_FAILURE = /^tar: (.*?): (?:Wrote only \d+ of \d+ bytes|Cannot \w+|Error \w+)/

function noSpaceError(
  conn: SshConnection,
  target: string,
  lines: readonly string[],
  written: readonly string[],
  report: RestoreReport,
): CairnError {
  // The first file tar failed to write is where the disk ran out (tar quotes ':' in names, so the
  // first ': ' ends the name).
  let failed: Buffer | null = null
  for (const line of lines) {
    const m = WRITE_FAILURE.exec(line)
    if (m) {
      failed = unescapeQuoted(m[1] as string)
      break
    }
  }
  // tar writes in archive order: everything before the failed path is complete on disk.
  const at = failed ? written.indexOf(failed.toString('latin1')) : -1
  const complete = at >= 0 ? at : Math.max(0, written.length - 1)
  return new CairnError(
    'remote_error',
    `The disk of ${conn.label} is full${failed ? `: Cairn could not write ${target}/${printable(failed)}` : ''}. ` +
      `${complete} entries were restored completely before that. Free some space (or use a bigger ` +
      `disk) and restore again.`,
    {
      reason: 'no_space',
      failedPath: failed ? `${target}/${printable(failed)}` : null,
      restoredEntries: complete,
      sent: summary(report),
    },
  )
}

function summary(r: RestoreReport) {
  return {
    files: r.files,
    dirs: r.dirs,
    symlinks: r.symlinks,
    hardlinks: r.hardlinks,
    bytes: r.bytes,
  }
}

function checkTarget(target: string): void {
  if (!target.startsWith('/') || target.includes('\0')) {
    throw new CairnError(
      'invalid_input',
      `The restore target "${target}" must be an absolute path.`,
    )
  }
}

/** A path for a message: UTF-8 where it is, other bytes shown as \xNN. */
export function printable(path: Buffer): string {
  const text = path.toString('utf8')
  if (Buffer.from(text, 'utf8').equals(path))
    return text.replace(/[\n\r\t]/g, (c) => JSON.stringify(c).slice(1, -1))
  return [...path]
    .map((b) =>
      b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`,
    )
    .join('')
}

async function drain(proc: RemoteProcess): Promise<void> {
  for await (const _ of proc.stdout) {
    // tar -x prints nothing on stdout; read it anyway so the channel never stalls.
  }
}

/**
 * Coalesces small writes (headers, small files) into ~256 KiB writes and waits for the SSH
 * channel to drain, so memory stays bounded and 50k small files do not mean 150k tiny packets.
 */
class CoalescingWriter {
  private parts: Buffer[] = []
  private size = 0
  private failed: Error | null = null

  constructor(private readonly proc: RemoteProcess) {
    proc.stdin.on('error', (error: Error) => {
      this.failed = error
    })
  }

  async write(data: Buffer): Promise<void> {
    if (this.failed) throw this.failed
    if (data.length === 0) return
    if (data.length >= 64 * 1024) {
      await this.flush()
      await this.push(data)
      return
    }
    // Copy: the caller may reuse or free the chunk's memory.
    this.parts.push(Buffer.from(data))
    this.size += data.length
    if (this.size >= 256 * 1024) await this.flush()
  }

  async flush(): Promise<void> {
    if (this.size === 0) return
    const data = Buffer.concat(this.parts, this.size)
    this.parts = []
    this.size = 0
    await this.push(data)
  }

  async end(): Promise<void> {
    await this.flush()
    this.proc.stdin.end()
  }

  private async push(data: Buffer): Promise<void> {
    const stdin = this.proc.stdin
    if (stdin.write(data)) return
    await new Promise<void>((resolve, reject) => {
      const onDrain = () => {
        cleanup()
        resolve()
      }
      const onClose = () => {
        cleanup()
        reject(new Error('the remote tar closed its input'))
      }
      const cleanup = () => {
        stdin.removeListener('drain', onDrain)
        stdin.removeListener('close', onClose)
      }
      stdin.once('drain', onDrain)
      stdin.once('close', onClose)
    })
  }
}
