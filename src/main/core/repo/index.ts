// The repository format library: everything a backup, restore or verify needs, and nothing that
// ties it to the desktop (only node:crypto, node:zlib and the ObjectStore interface), so the same
// code can later run on a VM as a single-file helper.
export { initRepository, openRepository, listWorkspaces, Repository } from './repository/repository'
export { REPOSITORY_FORMAT_VERSION } from './repository/config'
export { openWorkspace, rotateWorkspaceKey, Workspace } from './workspace/workspace'
export { createSnapshotWriter, openSnapshotReader } from './workspace/sessions'
export { acquireLease, removeExpiredLeases, Lease } from './workspace/lease'
export type { LeaseOptions, LeaseRecord } from './workspace/lease'
export { SnapshotWriter } from './snapshot/snapshot-writer'
export type {
  SnapshotWriterOptions,
  FileContentResult,
  CommitMeta,
} from './snapshot/snapshot-writer'
export { SnapshotReader } from './snapshot/snapshot-reader'
export type { SnapshotReaderOptions, SnapshotListing } from './snapshot/snapshot-reader'
export type { Snapshot, SnapshotInfo, SnapshotStats, SnapshotTrigger } from './snapshot/snapshot'
export type { TreeEntry, EntryType, ExtendedAttribute } from './tree/tree-entry'
export { compareNames, sortEntries } from './tree/tree-entry'
export { checkEntryName } from './tree/tree-codec'
export { encodesSame } from './tree/tree-equality'
export { loadIndex, writeIndexFiles, compactIndex, INDEX_REPAIR_HINT } from './index/index-store'
export type { IndexCache, LoadedIndex } from './index/index-store'
export { FolderIndexCache } from './index/folder-index-cache'
export { MemoryIndex } from './index/memory-index'
export type { BlobLocation } from './index/memory-index'
export { verifySnapshot } from './verify/verify-snapshot'
export type {
  VerifyOptions,
  VerifyProgress,
  VerifyProblem,
  VerifyReport,
} from './verify/verify-snapshot'
export { findUnindexedPacks, indexPacksFromHeaders, checkPack } from './verify/pack-repair'
export { checkWorkspace } from './verify/check-workspace'
export type { WorkspaceCheckReport, CheckProblem } from './verify/check-workspace'
export { readPackHeader } from './pack/pack-reader'
export { isDamage, withoutVerifyHint } from './errors'
export { displayName, displayPath } from './util/display-path'
export { FastCdc } from './chunker/fastcdc'
export { CHUNKER_PARAMS_V1 } from './chunker/params'
export type { BlobType } from './crypto/blob-id'
export { pruneWorkspace } from './prune/prune'
export type { PruneOptions, PruneResult, PrunePhase } from './prune/prune'
export { DEFAULT_MAX_UNUSED_SHARE, DEFAULT_UNINDEXED_GRACE_MS } from './prune/plan'
