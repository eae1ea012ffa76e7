import { isHexId } from '../util/hex'

/** Why a restore point was taken. */
export type SnapshotTrigger = 'manual' | 'schedule' | 'stop' | 'idle' | 'before-restore' | 'cli'

export interface SnapshotStats {
  files: number
  dirs: number
  symlinks: number
  /** Bytes of file content in the restore point. */
  bytes: number
  /** Plaintext bytes of blobs this backup added (data and trees). */
  addedBytes: number
  /** Bytes this backup uploaded in packs (after compression and encryption). */
  addedPackBytes: number
  addedBlobs: number
  addedPacks: number
  addedIndexFiles: number
  durationMs: number
  filesChangedWhileReading: number
}

/** Something the backup could not do for one entry (an unreadable file: not in the restore point). */
export interface SnapshotWarning {
  /** The path on the source, for people; null when the tool named none. */
  path: string | null
  message: string
}

/** At most this many warnings are kept in a snapshot; `warningsOmitted` counts the rest. */
export const MAX_SNAPSHOT_WARNINGS = 1000

/**
 * A restore point, stored as a sealed file (kind "snapshot") whose plaintext is this JSON, at
 * workspaces/<workspace>/snapshots/<SHA-256 of the sealed file>. Written last, after every pack
 * and index it depends on: if it exists, everything it references exists.
 */
export interface Snapshot {
  version: 1
  workspace: string
  /** ISO 8601 UTC, when the backup started. */
  time: string
  trigger: SnapshotTrigger
  /** The backed-up paths on the source host (as the user configured them). */
  paths: string[]
  hostname: string
  /** The restore point this one was diffed against, if any. */
  parent: string | null
  /** Root tree blob id: one entry per backed-up path. */
  tree: string
  /** Data key version new blobs were written with. */
  keyVersion: number
  tags: string[]
  stats: SnapshotStats
  /** The program that wrote it, e.g. "cairn 0.1.0". */
  program: string
  /** Entries the backup had to leave out or could not read completely (absent when none). */
  warnings?: SnapshotWarning[]
  warningsOmitted?: number
}

export interface SnapshotInfo {
  id: string
  snapshot: Snapshot
}

const TRIGGERS = new Set<SnapshotTrigger>([
  'manual',
  'schedule',
  'stop',
  'idle',
  'before-restore',
  'cli',
])
const STAT_KEYS: (keyof SnapshotStats)[] = [
  'files',
  'dirs',
  'symlinks',
  'bytes',
  'addedBytes',
  'addedPackBytes',
  'addedBlobs',
  'addedPacks',
  'addedIndexFiles',
  'durationMs',
  'filesChangedWhileReading',
]

export function isSnapshotTrigger(value: unknown): value is SnapshotTrigger {
  return typeof value === 'string' && TRIGGERS.has(value as SnapshotTrigger)
}

/** Checks a decoded snapshot's shape; returns a reason or null. */
export function snapshotProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return 'not an object'
  const s = value as Partial<Snapshot>
  if (s.version !== 1) return `unsupported snapshot version ${String(s.version)}`
  if (typeof s.workspace !== 'string') return 'no workspace'
  if (typeof s.time !== 'string' || Number.isNaN(Date.parse(s.time))) return 'bad time'
  if (!isSnapshotTrigger(s.trigger)) return 'bad trigger'
  if (!Array.isArray(s.paths) || !s.paths.every((p) => typeof p === 'string')) return 'bad paths'
  if (typeof s.hostname !== 'string') return 'bad hostname'
  if (s.parent !== null && !(typeof s.parent === 'string' && isHexId(s.parent))) return 'bad parent'
  if (typeof s.tree !== 'string' || !isHexId(s.tree)) return 'bad tree'
  if (typeof s.keyVersion !== 'number') return 'bad key version'
  if (!Array.isArray(s.tags) || !s.tags.every((t) => typeof t === 'string')) return 'bad tags'
  if (!s.stats || STAT_KEYS.some((k) => typeof s.stats![k] !== 'number')) return 'bad stats'
  if (typeof s.program !== 'string') return 'bad program'
  if (
    s.warnings !== undefined &&
    !(
      Array.isArray(s.warnings) &&
      s.warnings.every(
        (w: unknown) =>
          w !== null &&
          typeof w === 'object' &&
          typeof (w as SnapshotWarning).message === 'string' &&
          ((w as SnapshotWarning).path === null || typeof (w as SnapshotWarning).path === 'string'),
      )
    )
  )
    return 'bad warnings'
  if (s.warningsOmitted !== undefined && typeof s.warningsOmitted !== 'number')
    return 'bad warnings count'
  return null
}
