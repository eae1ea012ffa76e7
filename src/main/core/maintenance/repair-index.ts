import { hostname } from 'node:os'
import type { RepairIndexResult } from '../../../shared/domain/check'
import {
  acquireLease,
  findUnindexedPacks,
  indexPacksFromHeaders,
  loadIndex,
  type Workspace,
} from '../repo'

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
 * deleted: a pack that cannot be read stays where it is and is reported; damaged index files stay
 * too (loading skips them, and the packs they named are indexed again here).
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
    const { index } = await loadIndex(workspace, { signal, onDamaged: () => {} })
    const orphans = await findUnindexedPacks(workspace, index, { signal })
    const before = index.blobCount
    const result = await indexPacksFromHeaders(workspace, index, orphans, { signal })
    const sizes = new Map(orphans.map((p) => [p.id, p.size]))
    return {
      kind: 'repair-index',
      workspaceId: workspace.id,
      indexed: result.indexed.map((id) => ({ id, size: sizes.get(id) ?? 0 })),
      blobsAdded: index.blobCount - before,
      failed: result.failed,
      indexFiles: result.indexFiles,
    }
  } finally {
    await lease.release().catch(() => {
      // It expires by itself; a backup after that proceeds.
    })
  }
}
