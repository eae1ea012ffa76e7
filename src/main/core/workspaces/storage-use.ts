import { WorkspacePaths } from '../repo/layout'
import type { ObjectStore } from '../storage/object-store'
import type { StorageUse } from './workspace-context'

/**
 * What one workspace takes in storage: the sizes of every object under its prefix (packs, indexes,
 * restore points, keys: what the provider bills), and its restore points counted from their names.
 * One LIST per 1000 objects; with ~16 MiB packs that is one request per ~16 GB stored. Nothing is
 * downloaded or decrypted, so it is exact for billing and cheap (the index would give only the
 * bytes of packs it knows, after downloading and decrypting it).
 */
export async function measureStorage(
  store: ObjectStore,
  workspaceId: string,
  signal?: AbortSignal,
): Promise<StorageUse> {
  const paths = new WorkspacePaths(workspaceId)
  let bytes = 0
  let restorePoints = 0
  for await (const object of store.list(paths.root, signal ? { signal } : {})) {
    bytes += object.size
    if (object.key.startsWith(paths.snapshots) && WorkspacePaths.idOf(object.key)) restorePoints++
  }
  return { bytes, restorePoints }
}
