import { CairnError } from '../../../../shared/errors'
import type { ObjectStore } from '../../storage/object-store'
import { registryKey, WorkspacePaths } from '../layout'
import type { Repository } from '../repository/repository'
import { Limiter } from '../util/limiter'
import { acquireLease, type Lease } from './lease'
import { openWorkspace } from './workspace'

export interface DeleteWorkspaceDataOptions {
  /**
   * The workspace's lease, held by the caller (see takeDeletionLease); released here before the
   * leases are swept. A resumed deletion has none: its own lease from before the crash would block
   * it, and the restore points may already be gone.
   */
  lease: Lease | null
  signal?: AbortSignal
  /** Called before the first object is removed. */
  beforeDeleting?: () => Promise<void>
  /** Told after each removed object, with the count so far. */
  onDeleted?: (count: number) => void
}

/**
 * Takes the workspace's lease for a deletion, so a backup running elsewhere (another desktop)
 * makes it fail with `conflict` before anything is removed, instead of racing it; kept alive until
 * deleteWorkspaceData releases it. Null when the workspace has no data key (nothing was ever
 * backed up, or the keys are gone already): then nobody can be writing.
 */
export async function takeDeletionLease(
  repo: Repository,
  workspaceId: string,
  options: { holder: string; hostname: string; signal?: AbortSignal },
): Promise<Lease | null> {
  let workspace
  try {
    workspace = await openWorkspace(
      repo,
      workspaceId,
      options.signal ? { signal: options.signal } : {},
    )
  } catch (error) {
    if (error instanceof CairnError && error.code === 'not_found') return null
    throw error
  }
  const lease = await acquireLease(workspace, { ...options, ttlMs: 5 * 60_000 })
  lease.keepAlive()
  return lease
}

/** Object removals in flight at once (one request each on S3). */
const PARALLEL_DELETES = 8

/**
 * Removes everything of one workspace from the repository: its restore points, index files,
 * packs, data keys, leases and its registry entry. Idempotent (a deletion cut off half-way is
 * finished by calling it again) and ordered so that what is left after an interruption is never a
 * restore point that cannot be read: restore points go first, then the index and the packs, then
 * the keys, the registry entry and last the leases.
 */
export async function deleteWorkspaceData(
  repo: Repository,
  workspaceId: string,
  options: DeleteWorkspaceDataOptions,
): Promise<{ deleted: number }> {
  const paths = new WorkspacePaths(workspaceId)
  const { signal } = options
  const { lease } = options
  let deleted = 0
  const count = () => options.onDeleted?.(++deleted)
  try {
    await options.beforeDeleting?.()
    for (const prefix of [paths.snapshots, paths.index, paths.data, paths.keys]) {
      await deleteUnder(repo.store, prefix, signal, count)
    }
    signal?.throwIfAborted()
    await repo.store.delete(registryKey(workspaceId), { signal })
    count()
  } finally {
    // Stops the renewals before the leases are swept (a renewal would write a new one).
    await lease?.release().catch(() => {})
  }
  // Leases and anything else left (an older Cairn's objects, a renewal that raced the release).
  await deleteUnder(repo.store, paths.root, signal, count)
  for await (const left of repo.store.list(paths.root, { signal })) {
    throw new CairnError(
      'storage_failed',
      `The storage still lists ${left.key} after Cairn removed it. Try deleting again.`,
    )
  }
  return { deleted }
}

async function deleteUnder(
  store: ObjectStore,
  prefix: string,
  signal: AbortSignal | undefined,
  onDeleted: () => void,
): Promise<void> {
  const limiter = new Limiter(PARALLEL_DELETES)
  const running = new Set<Promise<void>>()
  let failure: unknown = null
  // Keys are collected page by page and removed while the listing goes on.
  for await (const object of store.list(prefix, { signal })) {
    if (failure) break
    await limiter.acquire()
    const task = store
      .delete(object.key, { signal })
      .then(onDeleted, (error: unknown) => {
        failure ??= error
      })
      .finally(() => {
        limiter.release()
        running.delete(task)
      })
    running.add(task)
  }
  await Promise.all(running)
  if (failure) throw failure
}
