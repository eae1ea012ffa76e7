import type { BrowseOutput, RestorePoint, RestorePointList } from '../../../../shared/domain/backup'
import { CairnError } from '../../../../shared/errors'
import type { BrowseResult } from '../../backup'
import {
  listWorkspaces,
  MemoryIndex,
  openWorkspace,
  SnapshotReader,
  type Repository,
  type SnapshotInfo,
} from '../../repo'

/**
 * Restore points as the API and the CLI show them. Shared by both so `cairn snapshots --json`
 * and restorePoints.list have the same shape.
 */
export function toRestorePoint(info: SnapshotInfo): RestorePoint {
  const { snapshot, id } = info
  return {
    id,
    workspaceId: snapshot.workspace,
    time: snapshot.time,
    trigger: snapshot.trigger,
    tags: [...snapshot.tags],
    paths: [...snapshot.paths],
    hostname: snapshot.hostname,
    parent: snapshot.parent,
    files: snapshot.stats.files,
    dirs: snapshot.stats.dirs,
    symlinks: snapshot.stats.symlinks,
    size: snapshot.stats.bytes,
    addedBytes: snapshot.stats.addedBytes,
    uploadedBytes: snapshot.stats.addedPackBytes,
    durationMs: snapshot.stats.durationMs,
    changedWhileReading: snapshot.stats.filesChangedWhileReading,
    program: snapshot.program,
  }
}

export function toBrowseOutput(result: BrowseResult): BrowseOutput {
  return {
    restorePointId: result.snapshot.id,
    path: result.path,
    self: result.self,
    entries: result.entries,
  }
}

/**
 * The restore points of the given workspaces (default: every workspace in the repository),
 * oldest first. Only snapshot files are read (no index), so this stays cheap on big repositories.
 */
export async function listRestorePoints(
  repo: Repository,
  workspaceIds: readonly string[] | null,
  signal?: AbortSignal,
): Promise<RestorePointList> {
  const ids = workspaceIds ?? (await listWorkspaces(repo, signal ? { signal } : {}))
  const out: RestorePointList = { restorePoints: [], damaged: [] }
  for (const workspaceId of ids) {
    let workspace
    try {
      workspace = await openWorkspace(repo, workspaceId, signal ? { signal } : {})
    } catch (error) {
      // A registered workspace without a key yet (its first backup was cut off) has no points.
      if (workspaceIds === null && error instanceof CairnError && error.code === 'not_found')
        continue
      throw error
    }
    const reader = new SnapshotReader(workspace, new MemoryIndex(), signal ? { signal } : {})
    const listing = await reader.listSnapshots()
    out.restorePoints.push(...listing.snapshots.map(toRestorePoint))
    out.damaged.push(...listing.damaged.map((d) => ({ workspaceId, ...d })))
  }
  out.restorePoints.sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id))
  return out
}
