import type { CheckProblemView, WorkspaceCheck } from '../../../shared/domain/check'
import { CairnError } from '../../../shared/errors'
import {
  checkPack,
  isDamage,
  INDEX_REPAIR_HINT,
  withoutVerifyHint,
  loadIndex,
  SnapshotReader,
  verifySnapshot,
  displayName,
  type BlobLocation,
  type TreeEntry,
  type Workspace,
} from '../repo'
import { WorkspacePaths } from '../repo/layout'
import { packMatchesIndex } from '../repo/verify/pack-matches-index'

export interface CheckProgress {
  phase: 'index' | 'packs' | 'restore points'
  done: number
  total: number | null
}

export interface CheckOptions {
  /** Share of data blobs to read back and authenticate, 0..1 (default 0: trees and index only). */
  readData?: number
  /** Also download every pack whole and check it byte for byte (slow; for tests and audits). */
  readPacks?: boolean
  signal?: AbortSignal
  onProgress?: (progress: CheckProgress) => void
}

const PATHS_KEPT = 200

interface Affected {
  kind: CheckProblemView['kind']
  object: string
  message: string
  restorePoints: Set<string>
  paths: Set<string>
}

function aborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CairnError('cancelled', 'The check was cancelled.')
}

/**
 * Checks one workspace's part of the repository without changing anything:
 * 1. the index: every index file readable (damaged ones reported);
 * 2. the packs: one LIST of data/ is compared with the index (an indexed pack that is missing or
 *    has another size is damage; a pack no index knows is an orphan, listed for repair); each
 *    indexed pack's header is read (ranged GET) and must match the index;
 * 3. every restore point: its file, every tree (read and authenticated), every data blob present
 *    in the index with its pack present, and a `readData` share of the data read back.
 * A blob that is missing or damaged is reported once, with every restore point and file that
 * needs it.
 */
export async function checkWorkspaceRepository(
  workspace: Workspace,
  options: CheckOptions = {},
): Promise<WorkspaceCheck> {
  const { signal } = options
  const share = Math.min(1, Math.max(0, options.readData ?? 0))
  const problems = new Map<string, Affected>()
  const note = (
    kind: Affected['kind'],
    object: string,
    message: string,
    restorePoint?: string,
    paths: readonly string[] = [],
  ) => {
    let entry = problems.get(object)
    if (!entry) {
      entry = { kind, object, message, restorePoints: new Set(), paths: new Set() }
      problems.set(object, entry)
    }
    if (restorePoint) entry.restorePoints.add(restorePoint)
    for (const path of paths) if (entry.paths.size < PATHS_KEPT) entry.paths.add(path)
  }

  options.onProgress?.({ phase: 'index', done: 0, total: null })
  const { index, files } = await loadIndex(workspace, {
    signal,
    onDamaged: (id, error) => note('index', `index/${id}`, withoutHints(error.message)),
  })

  // Packs: what storage holds against what the index says.
  const stored = new Map<string, number>()
  for await (const object of workspace.store.list(workspace.paths.data, { signal })) {
    const id = WorkspacePaths.idOf(object.key)
    if (id && object.key === workspace.paths.pack(id)) stored.set(id, object.size)
  }
  const orphanPacks = [...stored]
    .filter(([id]) => !index.hasPack(id))
    .map(([id, size]) => ({ id, size }))
  const byPack = new Map<string, BlobLocation[]>()
  for (const blob of index.blobs()) {
    const list = byPack.get(blob.pack.id)
    if (list) list.push(blob)
    else byPack.set(blob.pack.id, [blob])
  }
  /** Packs whose blobs cannot be read at all: missing, or not the size the index says. */
  const unusable = new Map<string, string>()
  const packs = index.packs()
  let packsDone = 0
  for (const pack of packs) {
    aborted(signal)
    options.onProgress?.({ phase: 'packs', done: packsDone++, total: packs.length })
    const size = stored.get(pack.id)
    if (size === undefined) {
      unusable.set(pack.id, `Pack ${pack.id.slice(0, 8)} is in the index but not in the storage.`)
      note('pack', `pack/${pack.id}`, unusable.get(pack.id)!)
      continue
    }
    if (size !== pack.length) {
      unusable.set(
        pack.id,
        `Pack ${pack.id.slice(0, 8)} has ${size} bytes; the index says ${pack.length}.`,
      )
      note('pack', `pack/${pack.id}`, unusable.get(pack.id)!)
      continue
    }
    try {
      if (!(await packMatchesIndex(workspace, pack, byPack.get(pack.id) ?? []))) {
        note('pack', `pack/${pack.id}`, `Pack ${pack.id.slice(0, 8)} does not match the index.`)
      }
      if (options.readPacks) {
        const result = await checkPack(workspace, pack.id)
        for (const message of result.problems) note('pack', `pack/${pack.id}`, message)
      }
    } catch (error) {
      if (!isDamage(error)) throw error
      note('pack', `pack/${pack.id}`, withoutHints(error.message))
    }
  }

  const notIndexed = (blob: string) =>
    orphanPacks.length > 0
      ? `Blob ${blob.slice(0, 8)} is not in any index; it may be in one of the ${orphanPacks.length} packs no index knows: repair the index, then check again.`
      : `Blob ${blob.slice(0, 8)} is in no index and no pack in storage holds it: its data is lost.`

  // Restore points.
  const reader = new SnapshotReader(workspace, index, { signal })
  const listing = await reader.listSnapshots()
  for (const damaged of listing.damaged)
    note('snapshot', `snapshot/${damaged.id}`, withoutHints(damaged.message), damaged.id)
  let treesChecked = 0
  let dataBlobsChecked = 0
  let bytesChecked = 0
  const dataBlobs = new Set<string>()
  let pointsDone = 0
  /** Trees whose every file's blobs were found: later restore points sharing them skip them. */
  const cleanTrees = new Set<string>()
  for (const { id } of listing.snapshots) {
    aborted(signal)
    options.onProgress?.({
      phase: 'restore points',
      done: pointsDone++,
      total: listing.snapshots.length,
    })
    // Trees (all) and a share of the data, read and authenticated.
    const report = await verifySnapshot(reader, id, { dataShare: share, signal })
    treesChecked += report.treesChecked
    dataBlobsChecked += report.dataBlobsChecked
    bytesChecked += report.bytesChecked
    for (const problem of report.problems) {
      const unindexed = /not in any index/.test(problem.message)
      note(
        unindexed && problem.kind === 'data' ? 'missing' : problem.kind,
        `blob/${problem.blobId}`,
        unindexed ? notIndexed(problem.blobId) : withoutHints(problem.message),
        id,
        problem.paths,
      )
    }
    // Every data blob must be in the index, in a pack that is there (the share above read some).
    await walkFiles(reader, report.snapshotId, cleanTrees, (path, content) => {
      let bad = false
      for (const blob of content) {
        dataBlobs.add(blob)
        const location = index.lookup(blob)
        const message = !location ? notIndexed(blob) : unusable.get(location.pack.id)
        if (message === undefined) continue
        note('missing', `blob/${blob}`, message, id, [path])
        bad = true
      }
      return bad
    })
  }

  const list = [...problems.values()].map((p) => ({
    kind: p.kind,
    object: p.object,
    message: p.message,
    restorePoints: [...p.restorePoints],
    paths: [...p.paths],
  }))
  return {
    workspaceId: workspace.id,
    ok: list.length === 0,
    indexFiles: files.length,
    packs: index.packCount,
    restorePoints: listing.snapshots.length,
    treesChecked,
    dataBlobs: dataBlobs.size,
    dataBlobsChecked,
    bytesChecked,
    orphanPacks,
    problems: list,
  }
}

/**
 * Calls `visit` for every file of a restore point (trees come from the reader's cache); `visit`
 * says whether the file has a problem. Trees in `clean` (no problem below them) are skipped, and
 * trees found clean are added to it.
 */
async function walkFiles(
  reader: SnapshotReader,
  snapshotId: string,
  clean: Set<string>,
  visit: (path: string, content: readonly string[]) => boolean,
): Promise<void> {
  const { snapshot } = await reader.loadSnapshot(snapshotId)
  const walk = async (tree: string, path: string): Promise<boolean> => {
    if (clean.has(tree)) return false
    let entries: TreeEntry[]
    try {
      entries = await reader.readTree(tree)
    } catch (error) {
      if (isDamage(error)) return true // reported by verifySnapshot
      throw error
    }
    let bad = false
    for (const entry of entries) {
      const child = path === '' ? displayName(entry.name) : `${path}/${displayName(entry.name)}`
      if (entry.type === 'dir' && entry.subtree) bad = (await walk(entry.subtree, child)) || bad
      else if (entry.type === 'file' && entry.content) bad = visit(child, entry.content) || bad
    }
    if (!bad) clean.add(tree)
    return bad
  }
  await walk(snapshot.tree, '')
}

/** A report says itself what to do next (verify, rebuild the index), so errors' own hints go. */
function withoutHints(message: string): string {
  return withoutVerifyHint(message).replace(` ${INDEX_REPAIR_HINT}`, '')
}
