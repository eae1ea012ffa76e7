import { CairnError } from '../../../../shared/errors'
import type { RequestCounts } from '../../storage/object-store'
import { loadIndex, writeIndexFiles, type IndexCache } from '../index/index-store'
import { MemoryIndex, type IndexPack } from '../index/memory-index'
import { SnapshotReader } from '../snapshot/snapshot-reader'
import { findUnindexedPacks } from '../verify/pack-repair'
import { acquireLease, type Lease } from '../workspace/lease'
import type { Workspace } from '../workspace/workspace'
import {
  blobsByPack,
  DEFAULT_MAX_UNUSED_SHARE,
  DEFAULT_UNINDEXED_GRACE_MS,
  planPrune,
  referencedBlobs,
  type PrunePlan,
} from './plan'
import { repackBlobs } from './repack'

export type PrunePhase =
  | 'reading restore points'
  | 'planning'
  | 'repacking'
  | 'writing the index'
  | 'deleting old index files'
  | 'deleting packs'

export interface PruneOptions {
  /** Who holds the lease meanwhile, for people ("prune job 12"). */
  holder: string
  hostname: string
  dryRun?: boolean
  /** Repack a pack when more than this share of its bytes is unreferenced (default 0.3). */
  maxUnusedShare?: number
  /** Packs no index lists are kept while younger than this (default 1 hour). */
  unindexedGraceMs?: number
  /** Lease lifetime without renewal (default 10 minutes; renewed every third of it). */
  leaseTtlMs?: number
  packTargetSize?: number
  cache?: IndexCache
  now?: () => Date
  signal?: AbortSignal
  onPhase?: (phase: PrunePhase) => void
}

export interface PruneResult {
  workspaceId: string
  dryRun: boolean
  restorePoints: number
  referencedBlobs: number
  packsBefore: number
  packsAfter: number
  bytesBefore: number
  bytesAfter: number
  bytesFreed: number
  removedPacks: { id: string; size: number }[]
  repackedPacks: { id: string; size: number; usedBytes: number }[]
  unindexedPacksDeleted: { id: string; size: number }[]
  /** Packs no index lists, kept because they are younger than the grace period. */
  unindexedPacksKept: { id: string; size: number }[]
  newPacks: { id: string; size: number }[]
  bytesRepacked: number
  indexFilesWritten: number
  indexFilesDeleted: number
  /** Requests made through the workspace's store while the prune ran. */
  requests: RequestCounts
  durationMs: number
}

/**
 * Frees the storage that no listed restore point needs, for one workspace. See "Prune" in
 * docs/repository-format.md for the order of steps and why a crash at any point leaves every
 * listed restore point restorable:
 *
 *  1. take the workspace's lease (renewed while running): no backup, forget or other prune of
 *     this workspace runs meanwhile;
 *  2. list restore points, then load the index (an index loaded after the listing covers every
 *     restore point listed), walk every restore point's trees: the referenced blobs;
 *  3. plan: packs with no referenced blob go; packs with more than `maxUnusedShare` unreferenced
 *     bytes are repacked; packs no index lists go once older than the grace period;
 *  4. copy the referenced blobs of repacked packs into new packs (stored, not yet indexed);
 *  5. write new index files for every kept and new pack, superseding all old index files;
 *  6. delete the old index files; 7. delete the packs that the new index no longer lists.
 */
export async function pruneWorkspace(
  workspace: Workspace,
  options: PruneOptions,
): Promise<PruneResult> {
  const started = Date.now()
  const now = options.now ?? (() => new Date())
  const { signal } = options
  const before = { ...workspace.store.requests }
  const dryRun = options.dryRun ?? false
  const ttlMs = options.leaseTtlMs ?? 10 * 60_000
  let lease: Lease | null = null
  let leaseTrouble: unknown = null
  if (!dryRun) {
    lease = await acquireLease(workspace, {
      holder: options.holder,
      hostname: options.hostname,
      ttlMs,
      ...(options.now ? { now: options.now } : {}),
      ...(signal ? { signal } : {}),
    })
    lease.keepAlive(ttlMs / 3, (error) => (leaseTrouble ??= error))
  }
  // Deleting after the lease may have lapsed could race a backup that took it meanwhile.
  const stillHeld = () => {
    signal?.throwIfAborted()
    // Renewals that were merely late (the computer slept) count too, not only failed ones.
    lease?.assertHeld()
    if (leaseTrouble) {
      throw new CairnError(
        'unreachable',
        'The prune could not renew its lease on the workspace, so it stopped before deleting more. Nothing needed was deleted; run the prune again.',
      )
    }
  }
  let result: PruneResult
  try {
    result = await prune()
  } finally {
    await lease?.release().catch(() => {
      // It expires by itself; the next backup proceeds after that.
    })
  }
  // After the release, so the requests include the lease's.
  return finish(result)

  async function prune(): Promise<PruneResult> {
    options.onPhase?.('reading restore points')
    // Listing restore points needs no index.
    const indexLess = new SnapshotReader(workspace, new MemoryIndex(), signal ? { signal } : {})
    const listing = await indexLess.listSnapshots()
    if (listing.damaged.length > 0) {
      throw new CairnError(
        'storage_failed',
        `Restore point ${listing.damaged[0]!.id.slice(0, 8)} cannot be read, so the prune cannot tell which data it needs. Nothing was deleted; run "cairn check" to see the damage.`,
        { reason: 'damaged', restorePoints: listing.damaged.map((d) => d.id) },
      )
    }
    const { index, files } = await loadIndex(workspace, {
      ...(signal ? { signal } : {}),
      ...(options.cache ? { cache: options.cache } : {}),
    })
    const reader = new SnapshotReader(workspace, index, signal ? { signal } : {})
    const used = await referencedBlobs(reader, index, listing.snapshots, signal)
    options.onPhase?.('planning')
    const unindexed = await findUnindexedPacks(workspace, index, signal ? { signal } : {})
    const plan = planPrune({
      index,
      used,
      restorePoints: listing.snapshots.length,
      unindexed,
      now: now(),
      maxUnusedShare: options.maxUnusedShare ?? DEFAULT_MAX_UNUSED_SHARE,
      unindexedGraceMs: options.unindexedGraceMs ?? DEFAULT_UNINDEXED_GRACE_MS,
    })
    const result = emptyResult(workspace.id, dryRun, plan)
    if (dryRun) {
      // An estimate: the repacked blobs' new packs are about as big as the blobs.
      result.bytesFreed = plan.bytesToFree
      result.bytesAfter = plan.packBytes - plan.bytesToFree
      result.packsAfter -= plan.remove.length + plan.repack.length + plan.unindexed.length
      result.packsAfter += Math.ceil(plan.bytesToRepack / (options.packTargetSize ?? 16 << 20))
      return result
    }
    if (plan.remove.length + plan.repack.length + plan.unindexed.length === 0) return result

    const byPack = blobsByPack(index)
    const repacking = new Set(plan.repack.map((p) => p.id))
    const dropping = new Set([...plan.remove.map((p) => p.id), ...repacking])

    options.onPhase?.('repacking')
    const sources = new Map(
      plan.repack.map((p) => [p.id, (byPack.get(p.id) ?? []).filter((b) => used.has(b.id))]),
    )
    stillHeld()
    const newPacks = await repackBlobs(workspace, sources, {
      ...(options.packTargetSize ? { packTargetSize: options.packTargetSize } : {}),
      ...(signal ? { signal } : {}),
    })
    result.newPacks = newPacks.map((p) => ({ id: p.id, size: p.length }))

    options.onPhase?.('writing the index')
    const described: IndexPack[] = []
    for (const pack of index.packs()) {
      if (dropping.has(pack.id)) continue
      described.push({ ...pack, blobs: byPack.get(pack.id) ?? [] })
    }
    described.push(...newPacks)
    stillHeld()
    const written = await writeIndexFiles(workspace, described, {
      supersedes: files,
      ...(signal ? { signal } : {}),
      ...(options.cache ? { cache: options.cache } : {}),
    })
    result.indexFilesWritten = written.length

    options.onPhase?.('deleting old index files')
    for (const id of files) {
      if (written.includes(id)) continue
      stillHeld()
      await workspace.store.delete(workspace.paths.indexFile(id), signal ? { signal } : {})
      result.indexFilesDeleted++
    }
    await options.cache?.retain?.(written)

    options.onPhase?.('deleting packs')
    for (const pack of [...plan.remove, ...plan.repack, ...plan.unindexed]) {
      stillHeld()
      await workspace.store.delete(workspace.paths.pack(pack.id), signal ? { signal } : {})
    }
    const newBytes = newPacks.reduce((n, p) => n + p.length, 0)
    // Exact: what was stored before, minus what was deleted, plus the new packs.
    result.bytesAfter =
      plan.packBytes -
      [...plan.remove, ...plan.repack].reduce((n, p) => n + p.size, 0) -
      plan.unindexed.reduce((n, p) => n + p.size, 0) +
      newBytes
    result.bytesFreed = plan.packBytes - result.bytesAfter
    result.packsAfter =
      result.packsBefore -
      plan.remove.length -
      plan.repack.length -
      plan.unindexed.length +
      newPacks.length
    return result
  }

  function finish(result: PruneResult): PruneResult {
    const after = workspace.store.requests
    for (const key of Object.keys(before) as (keyof RequestCounts)[])
      result.requests[key] = after[key] - before[key]
    result.durationMs = Date.now() - started
    return result
  }
}

function emptyResult(workspaceId: string, dryRun: boolean, plan: PrunePlan): PruneResult {
  return {
    workspaceId,
    dryRun,
    restorePoints: plan.restorePoints,
    referencedBlobs: plan.referencedBlobs,
    packsBefore: plan.packs + plan.unindexed.length + plan.unindexedKept.length,
    packsAfter: plan.packs + plan.unindexed.length + plan.unindexedKept.length,
    bytesBefore: plan.packBytes,
    bytesAfter: plan.packBytes,
    bytesFreed: 0,
    removedPacks: plan.remove.map((p) => ({ id: p.id, size: p.size })),
    repackedPacks: plan.repack.map((p) => ({ id: p.id, size: p.size, usedBytes: p.usedBytes })),
    unindexedPacksDeleted: plan.unindexed.map((p) => ({ id: p.id, size: p.size })),
    unindexedPacksKept: plan.unindexedKept.map((p) => ({ id: p.id, size: p.size })),
    newPacks: [],
    bytesRepacked: plan.bytesToRepack,
    indexFilesWritten: 0,
    indexFilesDeleted: 0,
    requests: { put: 0, get: 0, head: 0, list: 0, delete: 0, bytesUp: 0, bytesDown: 0 },
    durationMs: 0,
  }
}
