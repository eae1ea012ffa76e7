import { promises as fsp } from 'node:fs'
import { CairnError } from '../../../shared/errors'
import { isDamage, MemoryIndex, openSnapshotReader, SnapshotReader } from '../repo'
import type { SnapshotInfo } from '../repo'
import { preflightRestore, restoreToRemote, type RestoreReport } from '../remote/restore-writer'
import { normalizeRelativePath, joinParts } from '../remote/safe-path'
import { shScript } from '../ssh/shell-quote'
import { probeLocalTarget, restoreToLocal } from './local-writer'
import { ProgressTicker } from './progress'
import {
  inPackOrder,
  planEntries,
  selectPaths,
  shownPath,
  withContent,
  type PlannedEntry,
} from './restore-plan'
import type {
  PreflightOptions,
  RepositoryAccess,
  RestoreConflict,
  RestoreOptions,
  RestorePhase,
  RestorePreflight,
  RestoreResult,
} from './types'
import { openView } from './view'

/**
 * The restore point and a reader whose index covers it. With a workspace, the restore point is
 * read first and the index loaded after (an index loaded later covers every snapshot seen
 * earlier: a backup committing in between cannot leave blobs this restore does not know).
 */
export async function openForSnapshot(
  access: RepositoryAccess,
  snapshotId: string,
  signal?: AbortSignal,
): Promise<{ reader: SnapshotReader; info: SnapshotInfo }> {
  if (access.reader)
    return { reader: access.reader, info: await access.reader.loadSnapshot(snapshotId) }
  const lookup = new SnapshotReader(access.workspace, new MemoryIndex(), signal ? { signal } : {})
  const info = await lookup.loadSnapshot(snapshotId)
  const reader = await openSnapshotReader(access.workspace, {
    ...(signal ? { signal } : {}),
    ...(access.indexCache ? { indexCache: access.indexCache } : {}),
  })
  return { reader, info }
}

/**
 * Restores a restore point, or the files and folders named in `include`, into a folder on this
 * computer or on an SSH host (a tar stream into `tar -x` there). Every blob is authenticated
 * before any of its bytes are written; entries that would escape the target are refused and
 * reported; by default the target must be missing or empty (see `preflightRestoreTarget`).
 */
export async function runRestore(options: RestoreOptions): Promise<RestoreResult> {
  const started = Date.now()
  const { signal, target } = options
  signal?.throwIfAborted()
  const ticker = new ProgressTicker<RestorePhase>('preparing', options.onProgress)
  ticker.flush()
  const { reader, info } = await openForSnapshot(options, options.snapshotId, signal)
  const view = await openView(reader, info.snapshot)
  const selection = await selectPaths(reader, view, options.include)
  const progress = ticker.state
  if (!selection) {
    progress.filesTotal = info.snapshot.stats.files
    progress.bytesTotal = info.snapshot.stats.bytes
  } else {
    let files = 0
    let bytes = 0
    for await (const entry of planEntries(reader, view, selection)) {
      if (entry.type === 'file') {
        files++
        bytes += entry.size ?? 0
      }
    }
    progress.filesTotal = files
    progress.bytesTotal = bytes
  }
  ticker.phase('restoring')
  const current: { current: Buffer | null } = { current: null }
  const entries = withContent(
    reader,
    inPackOrder(reader, planEntries(reader, view, selection)),
    current,
  )
  const onProgress = (p: { files: number; bytes: number; path: Buffer }) => {
    progress.filesDone = p.files
    progress.bytesDone = p.bytes
    progress.currentPath = shownPath(p.path)
    ticker.touch()
  }
  let report: RestoreReport
  try {
    if (target.kind === 'ssh') {
      report = await restoreToRemote(target.connection, target.dir, entries, {
        ...(options.overwrite ? { overwrite: true } : {}),
        ...(target.owner ? { owner: target.owner } : {}),
        ...(signal ? { signal } : {}),
        onProgress,
      })
    } else {
      report = await restoreToLocal(target.dir, entries, {
        ...(options.overwrite ? { overwrite: true } : {}),
        ...(signal ? { signal } : {}),
        onProgress,
      })
    }
  } catch (error) {
    const partial = current.current
    if (target.kind === 'ssh' && partial && partial.length > 0) {
      // tar -x wrote the file being streamed under its real name: remove the incomplete copy.
      const path = Buffer.concat([Buffer.from(`${target.dir}/`), partial])
      await target.connection
        .run(shScript('rm -f -- "$1"', [path]), { signal: AbortSignal.timeout(10_000) })
        .catch(() => {})
    }
    if (signal?.aborted) throw new CairnError('cancelled', 'The restore was cancelled.')
    if (isDamage(error) && partial) {
      throw new CairnError(
        'storage_failed',
        `${error.message} The restore stopped at ${shownPath(partial)} (its incomplete copy was removed); everything before it was restored. Run a verify to see which files are affected, and restore the others with include paths.`,
        { ...error.details, failedPath: shownPath(partial) },
      )
    }
    throw error
  }
  ticker.phase('finishing')
  return {
    snapshotId: info.id,
    files: report.files,
    dirs: report.dirs,
    symlinks: report.symlinks,
    hardlinks: report.hardlinks,
    bytes: report.bytes,
    refused: report.refused.map((r) => ({
      path: shownPath(r.path),
      reason: r.reason,
      message: r.message,
    })),
    warnings: report.warnings,
    durationMs: Date.now() - started,
  }
}

/**
 * What a restore would replace at the target, without writing anything: the target's state,
 * restored paths that exist there as something else than a folder, and paths below a symlink.
 */
export async function preflightRestoreTarget(options: PreflightOptions): Promise<RestorePreflight> {
  const { signal, target } = options
  const { reader, info } = await openForSnapshot(options, options.snapshotId, signal)
  const view = await openView(reader, info.snapshot)
  const selection = await selectPaths(reader, view, options.include)
  const entries = planEntries(reader, view, selection)
  if (target.kind === 'ssh') {
    const result = await preflightRestore(target.connection, target.dir, entries, signal)
    return {
      snapshotId: info.id,
      targetState: result.state,
      conflicts: result.conflicts.map((c) => ({
        path: shownPath(c.path),
        existingType: c.existingType,
        entryType: c.entryType,
      })),
      blockedBySymlink: result.blockedBySymlink.map(shownPath),
    }
  }
  const state = await probeLocalTarget(target.dir)
  const conflicts: RestoreConflict[] = []
  const blocked: string[] = []
  if (state === 'non-empty') await localConflicts(target.dir, entries, conflicts, blocked, signal)
  return { snapshotId: info.id, targetState: state, conflicts, blockedBySymlink: blocked }
}

async function localConflicts(
  dir: string,
  entries: AsyncIterable<PlannedEntry>,
  conflicts: RestoreConflict[],
  blocked: string[],
  signal?: AbortSignal,
): Promise<void> {
  const symlinks = new Set<string>()
  const missing = new Set<string>()
  for await (const entry of entries) {
    signal?.throwIfAborted()
    const parts = normalizeRelativePath(entry.path)
    if (!Array.isArray(parts) || parts.length === 0) continue
    const rel = joinParts(parts)
    const parent = parts.length > 1 ? joinParts(parts.slice(0, -1)).toString('latin1') : null
    if (parent !== null && missing.has(parent)) {
      missing.add(rel.toString('latin1'))
      continue
    }
    if (parent !== null && [...ancestors(parts)].some((a) => symlinks.has(a))) {
      blocked.push(shownPath(rel))
      continue
    }
    let existing: string
    try {
      const stat = await fsp.lstat(Buffer.concat([Buffer.from(`${dir}/`), rel]))
      existing = stat.isDirectory()
        ? 'dir'
        : stat.isSymbolicLink()
          ? 'symlink'
          : stat.isFile()
            ? 'file'
            : 'other'
    } catch {
      missing.add(rel.toString('latin1'))
      continue
    }
    if (existing === 'symlink') symlinks.add(rel.toString('latin1'))
    if (!(existing === 'dir' && entry.type === 'dir')) {
      conflicts.push({ path: shownPath(rel), existingType: existing, entryType: entry.type })
    }
  }
}

function* ancestors(parts: readonly Buffer[]): Generator<string> {
  for (let i = 1; i < parts.length; i++) yield joinParts(parts.slice(0, i)).toString('latin1')
}
