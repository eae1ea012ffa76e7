import { hostname } from 'node:os'
import type { RepairIndexResult } from '../../../shared/domain/check'
import { CairnError } from '../../../shared/errors'
import {
  acquireLease,
  findUnindexedPacks,
  indexPacksFromHeaders,
  loadIndex,
  type Workspace,
} from '../repo'

/** Where a repair keeps a damaged index file it took out of index/ (never read by Cairn). */
export function damagedIndexKey(workspace: Workspace, id: string): string {
  return `${workspace.paths.root}damaged/index/${id}`
}

export interface RepairIndexOptions {
  /** Who holds the lease meanwhile, for people ("repair job 12"). */
  holder: string
  hostname?: string
  /** Lease lifetime without renewal (default 10 minutes; renewed every third of it). */
  leaseTtlMs?: number
  signal?: AbortSignal
}

/**
 * Rebuilds what the index is missing from the packs themselves: every pack in data/ that no
 * readable index file names gets its header read (a ranged GET, authenticated) and written into a
 * new index file. Under the workspace's lease, so no backup adds packs meanwhile. Nothing is ever
 * deleted: a pack that cannot be read stays where it is and is reported; a damaged index file is
 * moved (copied, then removed) to `damaged/index/<id>` once the packs it named are indexed again.
 */
export async function repairIndex(
  workspace: Workspace,
  options: RepairIndexOptions,
): Promise<Omit<RepairIndexResult, 'requests'>> {
  const { signal } = options
  const ttlMs = options.leaseTtlMs ?? 10 * 60_000
  const lease = await acquireLease(workspace, {
    holder: options.holder,
    hostname: options.hostname ?? hostname(),
    ttlMs,
    ...(signal ? { signal } : {}),
  })
  lease.keepAlive(ttlMs / 3)
  try {
    const damaged: string[] = []
    const { index } = await loadIndex(workspace, {
      signal,
      onDamaged: (id) => damaged.push(id),
    })
    const orphans = await findUnindexedPacks(workspace, index, { signal })
    const before = index.blobCount
    const result = await indexPacksFromHeaders(workspace, index, orphans, { signal })
    const sizes = new Map(orphans.map((p) => [p.id, p.size]))
    // Every pack a damaged index file could name is now indexed again (or is gone), so the file
    // says nothing the index lacks; but readers refuse to load an index with a damaged file in
    // it. Moved aside, byte for byte, so backups and restores work again and nothing is lost.
    const movedIndexFiles: string[] = []
    for (const id of damaged) {
      const from = workspace.paths.indexFile(id)
      let bytes: Uint8Array
      try {
        bytes = await workspace.store.get(from, { signal })
      } catch (error) {
        if (error instanceof CairnError && error.code === 'not_found') continue
        throw error
      }
      try {
        await workspace.store.put(damagedIndexKey(workspace, id), bytes, {
          createOnly: true,
          signal,
        })
      } catch (error) {
        // Already moved there by an earlier repair that stopped before the delete.
        if (!(error instanceof CairnError && error.code === 'conflict')) throw error
      }
      await workspace.store.delete(from, { signal })
      movedIndexFiles.push(id)
    }
    return {
      kind: 'repair-index',
      workspaceId: workspace.id,
      indexed: result.indexed.map((id) => ({ id, size: sizes.get(id) ?? 0 })),
      blobsAdded: index.blobCount - before,
      failed: result.failed,
      indexFiles: result.indexFiles,
      movedIndexFiles,
    }
  } finally {
    await lease.release().catch(() => {
      // It expires by itself; a backup after that proceeds.
    })
  }
}
