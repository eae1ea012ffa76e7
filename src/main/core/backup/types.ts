import type { SecretsPolicy } from '../remote/default-rules'
import type { OwnerMode } from '../remote/restore-writer'
import type {
  IndexCache,
  SnapshotInfo,
  SnapshotReader,
  SnapshotTrigger,
  SnapshotWriterOptions,
  Workspace,
} from '../repo'
import type { SshConnection } from '../ssh/connection'
import type { Source } from './source'

/**
 * Progress of a backup, restore or verify. The fields match the JobRunner's `ctx.progress`, so
 * `onProgress: ctx.progress` just works. Calls are frequent: throttle on the receiving side.
 */
export interface PipelineProgress<Phase extends string> {
  phase: Phase
  filesDone: number
  filesTotal: number | null
  bytesDone: number
  bytesTotal: number | null
  /** The path being worked on, for people ('/'-joined, unreadable bytes as \xNN). */
  currentPath: string | null
}

// ---------------------------------------------------------------------------------------------
// Backup

export type BackupPhase = 'listing' | 'reading' | 'uploading' | 'writing index' | 'committing'

/**
 * - `listing`: the source is being listed (files of the listing already diffed and, where changed,
 *   read as the listing goes on); `filesTotal`/`bytesTotal` are null until the listing ends.
 * - `reading`: the listing is complete; the changed files are being read and stored.
 * - `uploading`: everything is read; the last packs are being uploaded.
 * - `writing index` / `committing`: the index and the restore point are being written.
 * files: files of the listing processed (unchanged ones count at once) of all listed files.
 * bytes: content bytes read of the bytes of the files that must be read (new or changed).
 */
export type BackupProgress = PipelineProgress<BackupPhase>

/**
 * How "unchanged" is decided for a file whose path is in the parent restore point:
 * - `strict` (default): same type, size, mtime (ns), ctime (ns), inode, device and mode.
 * - `mtime`: same type, size, mtime (ns) and mode; ctime, inode and device are ignored. Use it
 *   for the first backup after a restore onto a new machine, where every ctime and inode differs
 *   although nothing changed (the restore preserved the mtimes).
 */
export type ChangeDetection = 'strict' | 'mtime'

export interface BackupWarning {
  /** Absolute path on the source, for people ('/'-joined, unreadable bytes as \xNN). */
  path: string | null
  message: string
}

export interface BackupOptions {
  /** The opened workspace of the repository (openWorkspace with create: true for a first backup). */
  workspace: Workspace
  source: Source
  /** Absolute paths on the source to back up (e.g. ['/home/dev']). */
  paths: readonly string[]
  trigger: SnapshotTrigger
  /** Host name recorded in the restore point; default: the source's host name. */
  host?: string
  /**
   * The restore point to diff against: 'latest' (default: the newest restore point of the
   * workspace, if any), a restore point id (or unique prefix), or null for none (read everything).
   */
  parent?: 'latest' | string | null
  changeDetection?: ChangeDetection
  /** Extra exclude rules (gitignore-like, see docs/pull-backup.md), after the defaults. */
  excludes?: readonly string[]
  /** Re-include rules (written without the leading '!'), applied after `excludes`. */
  includes?: readonly string[]
  /** What to do with credentials such as ~/.ssh private keys; default 'exclude-credentials'. */
  secretsPolicy?: SecretsPolicy
  /** Leave the default cache excludes out (back up ~/.cache and friends too). */
  noCacheExcludes?: boolean
  tags?: string[]
  /** Program name recorded in the restore point (default "cairn"). */
  program?: string
  /** Local cache of index files (saves downloading them on every backup). */
  indexCache?: IndexCache
  /**
   * Take the workspace's lease (one writer at a time) for the backup: default true, holder
   * "backup". Pass false when the caller holds it.
   */
  lease?: boolean | { holder: string; hostname?: string }
  /** Tuning of the repository writer (pack size, parallelism). */
  writer?: Omit<SnapshotWriterOptions, 'signal'>
  /**
   * Keep the parent restore point's tree id for folders whose entries are all unchanged instead
   * of encoding and hashing the same tree again (default true; the result is the same bytes).
   */
  reuseUnchangedTrees?: boolean
  signal?: AbortSignal
  onProgress?: (progress: BackupProgress) => void
  /** Each warning as it happens (also collected in the result and the restore point). */
  onWarning?: (warning: BackupWarning) => void
}

export interface BackupStats {
  /** Entries listed (after excludes), by kind. */
  files: number
  dirs: number
  symlinks: number
  otherEntries: number
  /** Files whose content was reused from the parent without reading. */
  filesUnchanged: number
  /** Files read from the source (new or changed) and their bytes. */
  filesRead: number
  bytesRead: number
  /** Content bytes of the restore point. */
  bytes: number
  filesChangedWhileReading: number
  /** Files that could not be read and are not in the restore point. */
  filesSkipped: number
  /** What was stored: new blobs (plaintext bytes), packs (bytes after compression+encryption). */
  addedBlobs: number
  addedBytes: number
  addedPacks: number
  addedPackBytes: number
  addedIndexFiles: number
  /** Packs left by an interrupted backup that this one indexed and reused. */
  adoptedPacks: number
  durationMs: number
}

export interface BackupResult {
  snapshot: SnapshotInfo
  stats: BackupStats
  warnings: BackupWarning[]
}

// ---------------------------------------------------------------------------------------------
// Restore

/** How to reach the repository for reading: an opened reader, or a workspace to open one from. */
export type RepositoryAccess =
  | { reader: SnapshotReader; workspace?: undefined }
  | { workspace: Workspace; reader?: undefined; indexCache?: IndexCache }

export type RestoreTarget =
  | { kind: 'local'; dir: string }
  | {
      kind: 'ssh'
      connection: SshConnection
      /** Absolute path of the folder on the SSH host. */
      dir: string
      /** Whose files (when the login user is root); default 'auto'. */
      owner?: OwnerMode
    }

export type RestorePhase = 'preparing' | 'restoring' | 'finishing'
export type RestoreProgress = PipelineProgress<RestorePhase>

export interface RestoreOptionsBase {
  /** A restore point id, unique prefix (>= 4 hex digits) or 'latest'. */
  snapshotId: string
  /**
   * Partial restore: only these files or folders (with everything below them), in display syntax
   * ('/'-separated, see browse): relative to the restore point's view ('src/main.ts'), or absolute
   * as on the source ('/home/dev/src/main.ts'). Parent folders are created as in the restore point.
   */
  include?: readonly string[]
  target: RestoreTarget
  signal?: AbortSignal
}

export type RestoreOptions = RepositoryAccess &
  RestoreOptionsBase & {
    /**
     * Allow a non-empty target: existing files at restored paths are replaced, other files are
     * left alone, nothing is written through a symlink. Default false: the target must be missing
     * or empty (see `preflightRestore` for what would be replaced).
     */
    overwrite?: boolean
    onProgress?: (progress: RestoreProgress) => void
  }

export interface RestoreRefusal {
  /** Relative to the target, for people. */
  path: string
  reason: string
  message: string
}

export interface RestoreResult {
  snapshotId: string
  files: number
  dirs: number
  symlinks: number
  hardlinks: number
  bytes: number
  /** Entries not written: unsafe (escaping the target, through a symlink) or unsupported (devices). */
  refused: RestoreRefusal[]
  warnings: string[]
  durationMs: number
}

export interface RestoreConflict {
  /** Relative to the target, for people. */
  path: string
  existingType: string
  entryType: string
}

export interface RestorePreflight {
  snapshotId: string
  targetState: 'missing' | 'empty' | 'non-empty' | 'not-a-directory'
  /** Restored paths that exist at the target and would be replaced (folders merge: not listed). */
  conflicts: RestoreConflict[]
  /** Restored paths that would be refused because a parent is a symlink at the target. */
  blockedBySymlink: string[]
}

export type PreflightOptions = RepositoryAccess & RestoreOptionsBase

// ---------------------------------------------------------------------------------------------
// Verify

export type VerifyPhase = 'trees' | 'data'
export type VerifyProgressUpdate = PipelineProgress<VerifyPhase>

export type VerifyRunOptions = RepositoryAccess & {
  snapshotId: string
  /** Share of the restore point's distinct data blobs to read back, 0..1 (default 1: all). */
  share?: number
  signal?: AbortSignal
  /** files = blobs checked of blobs to check; bytes = plaintext bytes checked. */
  onProgress?: (progress: VerifyProgressUpdate) => void
}

export interface VerifyProblem {
  /**
   * tree/data: a blob of the restore point is damaged or missing (the files are affected);
   * pack: a pack's header does not match the index (restores work, an index rebuild would not);
   * index: an index file is damaged (its blobs show up as missing); repository: the workspace's
   * registry entry is damaged.
   */
  kind: 'tree' | 'data' | 'pack' | 'index' | 'repository'
  blobId: string | null
  packId: string | null
  message: string
  /** Affected files and folders, relative to the restore point's view, for people. */
  paths: string[]
}

export interface VerifyResult {
  snapshotId: string
  ok: boolean
  treesChecked: number
  dataBlobs: number
  dataBlobsChecked: number
  bytesChecked: number
  problems: VerifyProblem[]
  durationMs: number
}

// ---------------------------------------------------------------------------------------------
// Browse

export interface BrowseOptions {
  reader: SnapshotReader
  snapshotId: string
  /** A folder (or file) in display syntax, relative to the view; '' or '/' is the top. */
  path?: string
  signal?: AbortSignal
}

export type BrowseEntryType =
  'file' | 'dir' | 'symlink' | 'fifo' | 'chardev' | 'blockdev' | 'socket'

export interface BrowseEntry {
  /** The name for people and for building paths (display syntax: \xNN for unreadable bytes). */
  name: string
  type: BrowseEntryType
  size: number
  mode: number
  uid: number
  gid: number
  user: string | null
  group: string | null
  /** ISO 8601 (milliseconds) and the exact nanoseconds part. */
  mtime: string
  mtimeNsec: number
  /** Symlinks: the target, for people. */
  target: string | null
  /** The file changed while it was backed up; its content may be torn. */
  changedWhileReading: boolean
}

export interface BrowseResult {
  snapshot: SnapshotInfo
  /** The normalized path that was listed ('' for the top). */
  path: string
  /** The listed path itself: a folder, or a file when `path` names one. */
  self: BrowseEntry | null
  /** Sorted by name bytes; empty for a file. */
  entries: BrowseEntry[]
}
