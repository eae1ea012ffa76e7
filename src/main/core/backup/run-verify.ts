import { CairnError } from '../../../shared/errors'
import {
  displayName,
  isDamage,
  loadIndex,
  MemoryIndex,
  readPackHeader,
  SnapshotReader,
  verifySnapshot,
  type IndexCache,
  type TreeEntry,
  type Workspace,
} from '../repo'
import { readWorkspaceRecord } from '../repo/repository/repository'
import { ProgressTicker } from './progress'
import type { VerifyPhase, VerifyProblem, VerifyResult, VerifyRunOptions } from './types'
import { rootEntryNames } from './view'

/**
 * The workspace's index for a restore drill: a damaged index file is damage to report (kind
 * `index`), not a reason to stop; the blobs only it listed then show up as missing, with the
 * files they affect.
 */
export async function loadIndexReportingDamage(
  workspace: Workspace,
  options: { signal?: AbortSignal; cache?: IndexCache } = {},
): Promise<{ index: MemoryIndex; problems: VerifyProblem[] }> {
  const problems: VerifyProblem[] = []
  const { index } = await loadIndex(workspace, {
    ...options,
    onDamaged: (_id, error) =>
      problems.push({
        kind: 'index',
        blobId: null,
        packId: null,
        message: error.message,
        paths: [],
      }),
  })
  return { index, problems }
}

/**
 * A restore drill: reads back every tree and all (or `share` of) the restore point's distinct
 * data blobs, each authenticated and checked against its id, and reports every damaged blob with
 * the files that need it. A full drill (share 1) also checks the header of every pack the restore
 * point uses against the index (what an index rebuild would rely on). With a workspace, damaged
 * index files and a damaged registry entry are reported as problems too. Damage does not stop
 * it; only a cancel, an unreachable store or an unreadable restore point file does.
 */
export async function runVerify(options: VerifyRunOptions): Promise<VerifyResult> {
  const started = Date.now()
  const { signal } = options
  const share = Math.min(1, Math.max(0, options.share ?? 1))
  const ticker = new ProgressTicker<VerifyPhase>('trees', options.onProgress)
  ticker.flush()
  const problems: VerifyProblem[] = []
  let reader: SnapshotReader
  if (options.reader) reader = options.reader
  else {
    const { workspace } = options
    // The restore point first, the index after (restic's order).
    const lookup = new SnapshotReader(workspace, new MemoryIndex(), signal ? { signal } : {})
    await lookup.loadSnapshot(options.snapshotId)
    try {
      await readWorkspaceRecord(workspace.repo, workspace.id)
    } catch (error) {
      if (!(isDamage(error) || (error instanceof CairnError && error.code === 'not_found')))
        throw error
      problems.push({
        kind: 'repository',
        blobId: null,
        packId: null,
        message: `The workspace's registry entry is damaged or missing (${(error as Error).message}); other desktops may not list this workspace.`,
        paths: [],
      })
    }
    const loaded = await loadIndexReportingDamage(workspace, {
      ...(signal ? { signal } : {}),
      ...(options.indexCache ? { cache: options.indexCache } : {}),
    })
    problems.push(...loaded.problems)
    reader = new SnapshotReader(workspace, loaded.index, signal ? { signal } : {})
  }
  const info = await reader.loadSnapshot(options.snapshotId)
  const report = await verifySnapshot(reader, info.id, {
    dataShare: share,
    ...(signal ? { signal } : {}),
    onProgress: (p) => {
      const state = ticker.state
      state.filesDone = p.phase === 'trees' ? p.treesChecked : p.blobsChecked
      state.filesTotal = p.phase === 'trees' ? null : p.blobsToCheck
      state.bytesDone = p.bytesChecked
      if (state.phase !== p.phase) ticker.phase(p.phase)
      else ticker.touch()
    },
  })
  for (const p of report.problems) {
    problems.push({
      kind: p.kind,
      blobId: p.blobId,
      packId: p.packId,
      message: p.message,
      paths: p.paths,
    })
  }
  if (share >= 1) problems.push(...(await checkPackHeaders(reader, info.snapshot.tree, signal)))
  ticker.flush()
  // Paths come relative to the root tree; show them relative to the view, like browse.
  const names = rootEntryNames(info.snapshot.paths).map((n) => n.toString('utf8'))
  const single = info.snapshot.paths.length === 1 ? names[0]! : null
  const inView = (path: string) => {
    if (single === null) return path
    if (path === single || path === '/') return '/'
    return path.startsWith(`${single}/`) ? path.slice(single.length + 1) : path
  }
  return {
    snapshotId: info.id,
    ok: problems.length === 0,
    treesChecked: report.treesChecked,
    dataBlobs: report.dataBlobs,
    dataBlobsChecked: report.dataBlobsChecked,
    bytesChecked: report.bytesChecked,
    problems: problems.map((p) => ({ ...p, paths: p.paths.map(inView) })),
    durationMs: Date.now() - started,
  }
}

/**
 * Reads the header of each pack the restore point uses (one small ranged GET per pack) and checks
 * it against the index. The trees were just read, so walking them again hits the tree cache.
 */
async function checkPackHeaders(
  reader: SnapshotReader,
  root: string,
  signal?: AbortSignal,
): Promise<VerifyProblem[]> {
  const filesByPack = new Map<string, Set<string>>()
  const note = (blob: string, path: string) => {
    const location = reader.index.lookup(blob)
    if (!location) return
    let set = filesByPack.get(location.pack.id)
    if (!set) filesByPack.set(location.pack.id, (set = new Set()))
    if (path !== '') set.add(path)
  }
  const seen = new Set<string>()
  const walk = async (tree: string, path: string) => {
    signal?.throwIfAborted()
    note(tree, path)
    if (seen.has(tree)) return
    seen.add(tree)
    let entries: TreeEntry[]
    try {
      entries = await reader.readTree(tree)
    } catch (error) {
      if (isDamage(error)) return // reported by the tree check
      throw error
    }
    for (const entry of entries) {
      const child = path === '' ? displayName(entry.name) : `${path}/${displayName(entry.name)}`
      if (entry.type === 'dir' && entry.subtree) await walk(entry.subtree, child)
      for (const blob of entry.content ?? []) note(blob, child)
    }
  }
  await walk(root, '')
  const problems: VerifyProblem[] = []
  const blobsOf = new Map<string, { id: string; offset: number; length: number; type: string }[]>()
  for (const blob of reader.index.blobs()) {
    if (!filesByPack.has(blob.pack.id)) continue
    const list = blobsOf.get(blob.pack.id) ?? []
    list.push(blob)
    blobsOf.set(blob.pack.id, list)
  }
  for (const [packId, files] of filesByPack) {
    signal?.throwIfAborted()
    const pack = reader.index.pack(packId)
    if (!pack) continue
    let message: string | null = null
    try {
      const header = await readPackHeader(reader.workspace, pack.id, pack.length)
      const inHeader = new Map(header.entries.map((e) => [e.id, e]))
      const mismatch = (blobsOf.get(packId) ?? []).some((blob) => {
        const entry = inHeader.get(blob.id)
        return (
          !entry ||
          entry.offset !== blob.offset ||
          entry.length !== blob.length ||
          entry.type !== blob.type
        )
      })
      if (
        mismatch ||
        header.trailer.keyVersion !== pack.keyVersion ||
        !header.trailer.salt.equals(pack.salt)
      ) {
        message = `Pack ${packId.slice(0, 8)} does not match the index.`
      }
    } catch (error) {
      if (!isDamage(error)) throw error
      message = error.message
    }
    if (message) {
      problems.push({
        kind: 'pack',
        blobId: null,
        packId,
        message: `${message} Its blobs still restore through the index, but an index rebuild could not use this pack.`,
        paths: [...files],
      })
    }
  }
  return problems
}
