import { isDamage } from '../errors'
import { loadIndex } from '../index/index-store'
import type { BlobLocation } from '../index/memory-index'
import { SnapshotReader } from '../snapshot/snapshot-reader'
import type { Workspace } from '../workspace/workspace'
import { packMatchesIndex } from './pack-matches-index'
import { checkPack, findUnindexedPacks } from './pack-repair'
import { verifySnapshot, type VerifyReport } from './verify-snapshot'

export interface CheckProblem {
  /** The object concerned: "index/<id>", "snapshot/<id>", "pack/<id>" or "blob/<id>". */
  object: string
  message: string
  /** Files affected, when known. */
  paths?: string[]
}

export interface WorkspaceCheckReport {
  ok: boolean
  indexFiles: number
  packs: number
  snapshots: VerifyReport[]
  /** Packs no index mentions (left by an interrupted backup): not damage, listed for repair. */
  unindexedPacks: string[]
  problems: CheckProblem[]
}

/**
 * Checks a whole workspace: every index file, every snapshot file, every pack header against the
 * index (ranged reads), and every restore point's trees plus all (`dataShare` 1) or a share of
 * its data. With `readPacks`, every pack is also downloaded whole and checked byte for byte
 * (name = SHA-256, every blob), which also covers blobs no snapshot uses.
 */
export async function checkWorkspace(
  workspace: Workspace,
  options: { dataShare?: number; readPacks?: boolean; signal?: AbortSignal } = {},
): Promise<WorkspaceCheckReport> {
  const problems: CheckProblem[] = []
  const { index, files } = await loadIndex(workspace, {
    signal: options.signal,
    onDamaged: (id, error) => problems.push({ object: `index/${id}`, message: error.message }),
  })
  const reader = new SnapshotReader(workspace, index, { signal: options.signal })
  const listing = await reader.listSnapshots()
  for (const damaged of listing.damaged)
    problems.push({ object: `snapshot/${damaged.id}`, message: damaged.message })

  const byPack = new Map<string, BlobLocation[]>()
  for (const blob of index.blobs()) {
    const list = byPack.get(blob.pack.id)
    if (list) list.push(blob)
    else byPack.set(blob.pack.id, [blob])
  }
  for (const pack of index.packs()) {
    try {
      if (!(await packMatchesIndex(workspace, pack, byPack.get(pack.id) ?? []))) {
        problems.push({
          object: `pack/${pack.id}`,
          message: `Pack ${pack.id.slice(0, 8)} does not match the index.`,
        })
      }
      if (options.readPacks) {
        const result = await checkPack(workspace, pack.id)
        for (const message of result.problems) problems.push({ object: `pack/${pack.id}`, message })
      }
    } catch (error) {
      if (!isDamage(error)) throw error
      problems.push({ object: `pack/${pack.id}`, message: error.message })
    }
  }

  const snapshots: VerifyReport[] = []
  for (const { id } of listing.snapshots) {
    const report = await verifySnapshot(reader, id, {
      dataShare: options.dataShare ?? 1,
      signal: options.signal,
    })
    snapshots.push(report)
    for (const problem of report.problems) {
      problems.push({
        object: `blob/${problem.blobId}`,
        message: problem.message,
        paths: problem.paths,
      })
    }
  }
  const unindexed = await findUnindexedPacks(workspace, index, { signal: options.signal })
  return {
    ok: problems.length === 0,
    indexFiles: files.length,
    packs: index.packCount,
    snapshots,
    unindexedPacks: unindexed.map((p) => p.id),
    problems,
  }
}
