import { loadIndex, type IndexCache } from '../index/index-store'
import type { MemoryIndex } from '../index/memory-index'
import { SnapshotReader, type SnapshotReaderOptions } from '../snapshot/snapshot-reader'
import { SnapshotWriter, type SnapshotWriterOptions } from '../snapshot/snapshot-writer'
import type { Workspace } from './workspace'

/** Loads the workspace's index (unless given) and starts a restore point. */
export async function createSnapshotWriter(
  workspace: Workspace,
  options: SnapshotWriterOptions & { index?: MemoryIndex; indexCache?: IndexCache } = {},
): Promise<SnapshotWriter> {
  const index =
    options.index ??
    (await loadIndex(workspace, { cache: options.indexCache, signal: options.signal })).index
  return new SnapshotWriter(workspace, index, options)
}

/**
 * A reader over the workspace's restore points. Per restic's ordering rule, callers that need a
 * consistent view list snapshots first and load the index after (a snapshot is written after its
 * index, so an index loaded later covers every snapshot listed earlier).
 */
export async function openSnapshotReader(
  workspace: Workspace,
  options: SnapshotReaderOptions & { index?: MemoryIndex; indexCache?: IndexCache } = {},
): Promise<SnapshotReader> {
  const index =
    options.index ??
    (await loadIndex(workspace, { cache: options.indexCache, signal: options.signal })).index
  return new SnapshotReader(workspace, index, options)
}
