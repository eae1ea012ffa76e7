import { CairnError } from '../../../../shared/errors'
import type { BlobLocation, MemoryIndex, PackInfo } from '../index/memory-index'
import type { SnapshotReader } from '../snapshot/snapshot-reader'
import type { SnapshotInfo } from '../snapshot/snapshot'
import { shortId } from '../util/hex'
import { Limiter } from '../util/limiter'
import type { UnindexedPack } from '../verify/pack-repair'

/**
 * Repack a pack once more than this share of its bytes is unreferenced. 30 %: rewriting a pack
 * costs one GET of it and a PUT of what is kept (≥ 70 % of it), so below that share the request
 * and transfer cost of a repack buys back too little space, and waiting lets the share grow
 * (repacking packs that are nearly empty is cheap, nearly full ones dear). restic's default
 * `--max-unused` is 5 % of the whole repository; ours is per pack, which keeps one prune's
 * upload bounded by the packs that are mostly garbage.
 */
export const DEFAULT_MAX_UNUSED_SHARE = 0.3

/**
 * Packs no index lists that are younger than this are kept: they may belong to a backup that is
 * still running on a desktop whose lease expired while it slept (it will index them and write its
 * restore point when it wakes), or to one that was interrupted and will adopt them on its next
 * run. Twice the backup lease's lifetime plus margin.
 */
export const DEFAULT_UNINDEXED_GRACE_MS = 60 * 60_000

export interface PackDecision {
  id: string
  type: 'data' | 'tree'
  size: number
  blobs: number
  usedBlobs: number
  usedBytes: number
}

export interface PrunePlan {
  restorePoints: number
  referencedBlobs: number
  packs: number
  packBytes: number
  /** Packs holding no referenced blob: deleted. */
  remove: PackDecision[]
  /** Packs with more than the allowed unreferenced share: their referenced blobs are copied. */
  repack: PackDecision[]
  /** Packs no index lists, older than the grace period: deleted. */
  unindexed: UnindexedPack[]
  /** Packs no index lists, still within the grace period: kept. */
  unindexedKept: UnindexedPack[]
  /** Bytes freed if everything goes to plan (repacked packs count their unreferenced bytes). */
  bytesToFree: number
  /** Bytes read and written again by repacking (the referenced blobs of repacked packs). */
  bytesToRepack: number
}

/**
 * Every blob any listed restore point needs (trees and file content), by walking each restore
 * point's trees once (a subtree seen before is not walked again: trees are content-addressed, so
 * its whole content was already counted). A blob no index lists makes the prune refuse: the
 * index is incomplete (a lost or damaged index file), and deleting "unreferenced" packs could
 * then delete the only copy of data a restore point needs.
 */
export async function referencedBlobs(
  reader: SnapshotReader,
  index: MemoryIndex,
  snapshots: readonly SnapshotInfo[],
  signal?: AbortSignal,
): Promise<Set<string>> {
  const used = new Set<string>()
  const limiter = new Limiter(8)
  const need = (id: string, owner: SnapshotInfo) => {
    if (!index.has(id)) {
      throw new CairnError(
        'conflict',
        `Restore point ${shortId(owner.id)} needs blob ${shortId(id)}, which no index lists. Nothing was deleted; run "cairn check --repair-index" first.`,
        { reason: 'index_incomplete', restorePoint: owner.id, blobId: id },
      )
    }
  }
  const walk = async (treeId: string, owner: SnapshotInfo): Promise<void> => {
    signal?.throwIfAborted()
    if (used.has(treeId)) return
    need(treeId, owner)
    used.add(treeId)
    const entries = await limiter.run(() => reader.readTree(treeId))
    const subtrees: string[] = []
    for (const entry of entries) {
      for (const id of entry.content ?? []) {
        if (used.has(id)) continue
        need(id, owner)
        used.add(id)
      }
      if (entry.subtree) subtrees.push(entry.subtree)
    }
    await Promise.all(subtrees.map((id) => walk(id, owner)))
  }
  for (const snapshot of snapshots) await walk(snapshot.snapshot.tree, snapshot)
  return used
}

/** Decides, per pack, what a prune does with it. Pure: the inputs are what was read. */
export function planPrune(input: {
  index: MemoryIndex
  used: ReadonlySet<string>
  restorePoints: number
  unindexed: readonly UnindexedPack[]
  now: Date
  maxUnusedShare: number
  unindexedGraceMs: number
}): PrunePlan {
  const perPack = new Map<
    string,
    { pack: PackInfo; blobs: number; used: number; bytes: number; unused: number }
  >()
  for (const pack of input.index.packs())
    perPack.set(pack.id, { pack, blobs: 0, used: 0, bytes: 0, unused: 0 })
  for (const blob of input.index.blobs()) {
    const entry = perPack.get(blob.pack.id)!
    entry.blobs++
    if (input.used.has(blob.id)) {
      entry.used++
      entry.bytes += blob.length
    } else entry.unused += blob.length
  }
  const plan: PrunePlan = {
    restorePoints: input.restorePoints,
    referencedBlobs: input.used.size,
    packs: perPack.size,
    packBytes: 0,
    remove: [],
    repack: [],
    unindexed: [],
    unindexedKept: [],
    bytesToFree: 0,
    bytesToRepack: 0,
  }
  for (const { pack, blobs, used, bytes, unused } of perPack.values()) {
    plan.packBytes += pack.length
    const decision: PackDecision = {
      id: pack.id,
      type: pack.type,
      size: pack.length,
      blobs,
      usedBlobs: used,
      usedBytes: bytes,
    }
    if (used === 0) {
      plan.remove.push(decision)
      plan.bytesToFree += pack.length
    } else if (unused / pack.length > input.maxUnusedShare) {
      // Unreferenced blobs only: a small pack's header and trailer are no reason to rewrite it
      // (a pack of referenced blobs, e.g. one a repack just wrote, is never repacked again).
      plan.repack.push(decision)
      plan.bytesToFree += pack.length - bytes
      plan.bytesToRepack += bytes
    }
  }
  for (const pack of input.unindexed) {
    plan.packBytes += pack.size
    // A pack whose age is unknown counts as new (keeping garbage is the safe side), unless the
    // caller asked for no grace at all (it knows no other writer exists).
    const age = pack.modified ? input.now.getTime() - pack.modified.getTime() : -1
    if (input.unindexedGraceMs <= 0 || age >= input.unindexedGraceMs) {
      plan.unindexed.push(pack)
      plan.bytesToFree += pack.size
    } else plan.unindexedKept.push(pack)
  }
  return plan
}

/** Blobs of the index grouped by pack, in pack order (what the new index files list). */
export function blobsByPack(index: MemoryIndex): Map<string, BlobLocation[]> {
  const byPack = new Map<string, BlobLocation[]>()
  for (const blob of index.blobs()) {
    const list = byPack.get(blob.pack.id)
    if (list) list.push(blob)
    else byPack.set(blob.pack.id, [blob])
  }
  for (const list of byPack.values()) list.sort((a, b) => a.offset - b.offset)
  return byPack
}
