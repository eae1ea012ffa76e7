/** What a directory entry is. Devices, FIFOs and sockets are recorded; restore may skip them. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'fifo' | 'chardev' | 'blockdev' | 'socket'

export const ENTRY_TYPE_CODE: Record<EntryType, number> = {
  file: 1,
  dir: 2,
  symlink: 3,
  fifo: 4,
  chardev: 5,
  blockdev: 6,
  socket: 7,
}

export const ENTRY_TYPE_BY_CODE = new Map<number, EntryType>(
  Object.entries(ENTRY_TYPE_CODE).map(([name, code]) => [code, name as EntryType]),
)

/**
 * What a backup saw of a file's identity, kept only so that the next backup can tell whether the
 * file changed without reading it (restic keeps the same): inode change time, device and inode
 * number. ctime cannot be set by programs, so a file rewritten with its old mtime still shows up.
 * A restore ignores it.
 */
export interface ChangeKey {
  ctimeSec: number
  ctimeNsec: number
  device: number
  inode: bigint
}

export interface ExtendedAttribute {
  name: Uint8Array
  value: Uint8Array
}

/**
 * One entry of a directory (a node of a tree). Names and symlink targets are raw bytes: file
 * systems allow any byte but '/' and NUL, including newlines and invalid UTF-8, and all of it must
 * come back exactly.
 */
export interface TreeEntry {
  name: Uint8Array
  type: EntryType
  /** Permission bits including setuid, setgid and sticky (mode & 0o7777). */
  mode: number
  uid: number
  gid: number
  uname?: string
  gname?: string
  /** Modification time: whole seconds since the epoch (may be negative) and nanoseconds. */
  mtimeSec: number
  mtimeNsec: number
  /** Files: content bytes. 0 for everything else. */
  size: number
  /** Files: data blob ids in order (empty for an empty file). */
  content?: string[]
  /** Directories: the tree blob id of the directory's entries. */
  subtree?: string
  /** Symlinks: the target, as bytes. */
  target?: Uint8Array
  /** Character and block devices. */
  deviceMajor?: number
  deviceMinor?: number
  /**
   * Hard links: every path of a multiply-linked file is a full file entry (so any one of them can
   * be restored alone, and content dedup makes the copies free), and all carry the same linkGroup
   * (chosen by the producer, e.g. device:inode; unique within a snapshot). Restore links the later
   * paths of a group to the first one it writes.
   */
  linkGroup?: Uint8Array
  /** The file had holes (fewer blocks than its size); restore writes runs of zeros as holes. */
  sparse?: boolean
  /** The file changed while it was read: its content may be torn. Reported, never silent. */
  changedWhileReading?: boolean
  xattrs?: ExtendedAttribute[]
  /** Change detection for the next backup (see ChangeKey); absent when unknown or stale. */
  changeKey?: ChangeKey
}

/** Byte-wise order of names, the order entries are stored in (same as `LC_ALL=C ls`). */
export function compareNames(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b)
}

export function sortEntries(entries: TreeEntry[]): TreeEntry[] {
  return entries.sort((a, b) => compareNames(a.name, b.name))
}
