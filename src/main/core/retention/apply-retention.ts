import { hostname } from 'node:os'
import type { ForgetResult, RetentionPolicy } from '../../../shared/domain/schedules'
import { acquireLease, MemoryIndex, SnapshotReader, type Lease, type Workspace } from '../repo'
import { forgetSnapshots } from '../repo/workspace/forget'
import { listPins } from '../repo/workspace/pins'
import { selectRetention } from './select'

export const FORGET_NOTE =
  'Forget removes restore points only; the data only they referenced stays in storage until a prune frees it.'

export interface ApplyRetentionOptions {
  policy: RetentionPolicy
  dryRun: boolean
  /** Who holds the lease while restore points are removed, for people. */
  holder: string
  signal?: AbortSignal
}

/**
 * Applies a retention policy to one workspace: lists its restore points and pins, decides, and
 * (unless a dry run) removes what no rule keeps. The workspace's lease is taken before the listing,
 * so the decision is made on what exists while nobody else writes, and a lease held by a backup or
 * another desktop refuses the forget with a message naming the holder. A dry run reads only.
 * Restore points that could not be read are never removed (nor counted as candidates).
 */
export async function applyRetention(
  workspace: Workspace,
  options: ApplyRetentionOptions,
): Promise<ForgetResult> {
  const { signal } = options
  let lease: Lease | null = null
  if (!options.dryRun) {
    lease = await acquireLease(workspace, {
      holder: options.holder,
      hostname: hostname(),
      ...(signal ? { signal } : {}),
    })
    lease.keepAlive()
  }
  try {
    const reader = new SnapshotReader(workspace, new MemoryIndex(), signal ? { signal } : {})
    const listing = await reader.listSnapshots()
    const pins = await listPins(workspace, signal)
    const pinned = new Set([...pins.pins.map((p) => p.restorePointId), ...pins.unreadable])
    const decisions = selectRetention(
      listing.snapshots.map(({ id, snapshot }) => ({
        id,
        time: snapshot.time,
        trigger: snapshot.trigger,
        tags: snapshot.tags,
        pinned: pinned.has(id),
      })),
      options.policy,
    )
    const removed = decisions.filter((d) => !d.keep).map((d) => d.restorePointId)
    if (lease && removed.length > 0) {
      await forgetSnapshots(workspace, removed, { lease, ...(signal ? { signal } : {}) })
    }
    return {
      workspaceId: workspace.id,
      dryRun: options.dryRun,
      policy: options.policy,
      decisions,
      kept: decisions.length - removed.length,
      removed: removed.length,
      note: FORGET_NOTE,
    }
  } finally {
    await lease?.release().catch(() => {})
  }
}
