import { CairnError } from '../../../shared/errors'
import type { SnapshotReader, SnapshotWriter, TreeEntry } from '../repo'
import { displayName, encodesSame, isDamage } from '../repo'
import type { EntryType } from '../repo'
import { isUnchanged, splitNs, type SplitTime } from './change-detection'
import { fileJob, type FileOutcome, type FileReader } from './file-reader'
import type { SourceEntry } from './source'
import type { BackupWarning, ChangeDetection } from './types'

/** A directory of the parent restore point, by name (latin1 of the name bytes), or none. */
type ParentDir = Map<string, TreeEntry> | null

type Pending = TreeEntry | Promise<TreeEntry | null> | null

interface OpenDir {
  relPath: Buffer
  name: Buffer
  entry: SourceEntry
  children: Pending[]
  /** Each child's entry in the parent restore point, or null (same order as `children`). */
  olds: (TreeEntry | null)[]
  /** This directory's entry in the parent restore point, or null. */
  old: TreeEntry | null
  /** This directory as the parent restore point had it; `map` once loaded. */
  parent: Promise<ParentDir>
  map: ParentDir | undefined
}

const EMPTY = Buffer.alloc(0)

const TYPES: Partial<Record<SourceEntry['type'], EntryType>> = {
  file: 'file',
  dir: 'dir',
  symlink: 'symlink',
  fifo: 'fifo',
  'char-device': 'chardev',
  'block-device': 'blockdev',
}

export interface TreeBuilderOptions {
  writer: SnapshotWriter
  reader: FileReader
  /** Reads the parent restore point's trees; null when there is no parent. */
  parentReader: SnapshotReader | null
  changeDetection: ChangeDetection
  warn(warning: BackupWarning): void
  /** A file's content was reused from the parent without reading it. */
  onUnchanged(entry: SourceEntry): void
  /** A file has to be read. */
  onToRead(entry: SourceEntry): void
  /** A file's entry is complete (reused, read and stored, or left out). */
  onFileDone(entry: SourceEntry): void
  /** Any async step failed: the whole backup stops. */
  fail(error: unknown): void
  /**
   * Keep the parent's tree id for a folder whose entries all encode exactly as the parent's
   * (default true; off only to compare against writing every tree).
   */
  reuseTrees?: boolean
}

/**
 * Builds the restore point's trees bottom-up from the listing, which comes depth first (a
 * directory, then everything below it): only the directories on the path to the current entry
 * are open, each closed (its tree written) as soon as the listing leaves it. For each entry the
 * parent restore point's version is found by name in the matching parent directory (loaded when
 * the directory is entered, O(1) per entry); unchanged files reuse their content without reading.
 *
 * `add` and `addRoot` return a promise only when the caller must wait (the parent directory's
 * tree is still loading, or too many files wait to be read); the common case stays synchronous,
 * which matters at 50k entries.
 */
export class TreeBuilder {
  private readonly stack: OpenDir[] = []
  private readonly roots: Pending[] = []
  /** First outcome of each multiply-linked inode in this backup (device:inode). */
  private readonly linked = new Map<string, Promise<FileOutcome>>()

  /** Folders whose parent tree id was kept, and folders whose tree was written. */
  readonly treeCounts = { reused: 0, written: 0 }
  private readonly reuse: boolean

  constructor(private readonly options: TreeBuilderOptions) {
    // A kept id is only as good as the check that it names the bytes read: the parent reader
    // must recompute ids (SnapshotReader's default).
    this.reuse = (options.reuseTrees ?? true) && options.parentReader?.verifiesIds === true
  }

  /** A new backed-up path starts: its top entry, its name in the root tree, its parent version. */
  addRoot(entry: SourceEntry, name: Buffer, parentEntry: TreeEntry | null): Promise<void> | void {
    this.closeAll()
    if (entry.type === 'dir') {
      this.open(EMPTY, name, entry, parentEntry)
      return
    }
    const leaf = this.leaf(entry, name, parentEntry)
    this.roots.push(leaf.pending)
    return leaf.wait
  }

  /** An entry below the current root, in listing order. */
  add(entry: SourceEntry): Promise<void> | void {
    const relPath = entry.relPath
    const slash = relPath.lastIndexOf(0x2f)
    const parentRel = slash < 0 ? EMPTY : relPath.subarray(0, slash)
    const name = slash < 0 ? relPath : relPath.subarray(slash + 1)
    let top = this.stack[this.stack.length - 1]
    while (top && !top.relPath.equals(parentRel)) {
      this.close()
      top = this.stack[this.stack.length - 1]
    }
    if (!top) {
      throw new CairnError(
        'internal',
        `The listing is out of order at ${displayName(entry.path)}: its folder was not listed before it.`,
      )
    }
    if (top.map === undefined) {
      const dir = top
      return dir.parent.then((map) => this.addTo(dir, map, entry, relPath, name))
    }
    return this.addTo(top, top.map, entry, relPath, name)
  }

  /** Closes everything and writes the root tree; returns its id. */
  async finish(): Promise<string> {
    this.closeAll()
    const entries = await Promise.all(this.roots)
    this.treeCounts.written++
    return this.options.writer.writeTree(
      entries.filter((e): e is TreeEntry => e !== null),
      { referencesChecked: true },
    )
  }

  private addTo(
    top: OpenDir,
    map: ParentDir,
    entry: SourceEntry,
    relPath: Buffer,
    name: Buffer,
  ): Promise<void> | void {
    const old = map?.get(name.toString('latin1')) ?? null
    if (entry.type === 'dir') {
      this.open(relPath, name, entry, old)
      return
    }
    const leaf = this.leaf(entry, name, old)
    top.children.push(leaf.pending)
    top.olds.push(old)
    return leaf.wait
  }

  private open(relPath: Buffer, name: Buffer, entry: SourceEntry, old: TreeEntry | null): void {
    const dir: OpenDir = {
      relPath,
      name,
      entry,
      children: [],
      olds: [],
      old,
      parent: Promise.resolve(null),
      map: null,
    }
    const reader = this.options.parentReader
    if (reader && old && old.type === 'dir' && old.subtree) {
      dir.map = undefined
      dir.parent = reader.readTree(old.subtree).then(
        (entries) => {
          const map = new Map<string, TreeEntry>()
          for (const e of entries) map.set(Buffer.from(e.name).toString('latin1'), e)
          dir.map = map
          return map
        },
        (error: unknown) => {
          if (!isDamage(error)) throw error
          this.options.warn({
            path: displayName(entry.path),
            message: `The previous restore point is damaged here (${error.message}); this folder is read in full.`,
          })
          dir.map = null
          return null
        },
      )
      dir.parent.catch((error: unknown) => this.options.fail(error))
    }
    this.stack.push(dir)
  }

  private closeAll(): void {
    while (this.stack.length > 0) this.close()
  }

  private close(): void {
    const dir = this.stack.pop()!
    // A folder can close before its parent tree is read (an empty folder closes as soon as the
    // next entry is listed): it waits for that tree, or it would be written instead of kept.
    const settled = dir.map !== undefined && dir.children.every((c) => !(c instanceof Promise))
    const tree: TreeEntry | Promise<TreeEntry> = settled
      ? this.closeWith(dir, dir.children as (TreeEntry | null)[])
      : Promise.all([dir.parent, Promise.all(dir.children)]).then(([, children]) =>
          this.closeWith(dir, children),
        )
    if (tree instanceof Promise) tree.catch((error: unknown) => this.options.fail(error))
    const parent = this.stack[this.stack.length - 1]
    if (parent) {
      parent.children.push(tree)
      parent.olds.push(dir.old)
    } else this.roots.push(tree)
  }

  /**
   * The directory's entry once its children are known: with the parent's tree id when every
   * entry encodes exactly as in the parent's tree (so writing it would give the same bytes and
   * id), else with a newly written tree.
   */
  private closeWith(
    dir: OpenDir,
    children: readonly (TreeEntry | null)[],
  ): TreeEntry | Promise<TreeEntry> {
    const entries = children.filter((e): e is TreeEntry => e !== null)
    const writer = this.options.writer
    const subtree = this.reuse ? dir.old?.subtree : undefined
    if (
      subtree !== undefined &&
      dir.map &&
      this.matchesParent(dir.map, children, dir.olds, entries.length) &&
      writer.reuseTree(subtree, entries)
    ) {
      this.treeCounts.reused++
      return dirEntry(dir.entry, dir.name, subtree)
    }
    this.treeCounts.written++
    return writer
      .writeTree(entries, { referencesChecked: true })
      .then((id): TreeEntry => dirEntry(dir.entry, dir.name, id))
  }

  /**
   * Whether the children are exactly the parent tree's entries: as many, each found under its
   * own name (`olds`, looked up when it was listed) and encoding the same, none twice.
   */
  private matchesParent(
    map: Map<string, TreeEntry>,
    children: readonly (TreeEntry | null)[],
    olds: readonly (TreeEntry | null)[],
    count: number,
  ): boolean {
    if (count !== map.size) return false
    const matched = new Set<TreeEntry>()
    for (let i = 0; i < children.length; i++) {
      const child = children[i]
      if (child === null || child === undefined) continue
      const old = olds[i]
      if (!old || matched.has(old) || !encodesSame(child, old)) return false
      matched.add(old)
    }
    return matched.size === map.size
  }

  /**
   * A non-directory entry: done at once, or (files to read) once its content is stored. `wait`
   * is set when the listing must pause (too many files wait to be read).
   */
  private leaf(
    entry: SourceEntry,
    name: Buffer,
    old: TreeEntry | null,
  ): { pending: Pending; wait?: Promise<void> | void } {
    const type = TYPES[entry.type]
    if (!type) {
      this.options.warn({
        path: displayName(entry.path),
        message: `Left out: Cairn does not back up entries of this kind (${entry.type}).`,
      })
      return { pending: null }
    }
    const mtime = splitNs(entry.mtimeNs)
    if (type === 'symlink') {
      const target = entry.linkTarget ?? EMPTY
      const symlink = baseEntry(entry, name, 'symlink', mtime)
      symlink.size = target.length
      symlink.target = target
      return { pending: symlink }
    }
    if (type !== 'file') {
      const other = baseEntry(entry, name, type, mtime)
      other.deviceMajor = 0
      other.deviceMinor = 0
      return { pending: other }
    }

    const linkKey = entry.nlink > 1 ? `${entry.dev}:${entry.inode}` : null
    const shared = linkKey ? this.linked.get(linkKey) : undefined
    if (!shared) {
      const writer = this.options.writer
      const content = old?.content ?? []
      if (
        (old &&
          isUnchanged(entry, old, this.options.changeDetection, mtime) &&
          content.every((id) => writer.hasBlob(id))) ||
        entry.size === 0
      ) {
        // Reused (or empty): complete right away, no promise per file.
        this.options.onUnchanged(entry)
        const outcome: FileOutcome = {
          kind: 'stored',
          content: entry.size === 0 ? [] : content,
          size: entry.size,
          mtimeNs: entry.mtimeNs,
          changedWhileReading: null,
          stale: false,
        }
        if (linkKey) this.linked.set(linkKey, Promise.resolve(outcome))
        return { pending: this.fileEntry(entry, name, linkKey, outcome) }
      }
      const job = fileJob(entry)
      this.options.onToRead(entry)
      const wait = this.options.reader.add(job)
      if (linkKey) this.linked.set(linkKey, job.outcome)
      return { pending: this.settleLater(entry, name, linkKey, job.outcome), wait }
    }
    return { pending: this.settleLater(entry, name, linkKey, shared) }
  }

  private settleLater(
    entry: SourceEntry,
    name: Buffer,
    linkKey: string | null,
    outcome: Promise<FileOutcome>,
  ): Promise<TreeEntry | null> {
    const pending = outcome.then((result) => this.fileEntry(entry, name, linkKey, result))
    pending.catch((error: unknown) => this.options.fail(error))
    return pending
  }

  private fileEntry(
    entry: SourceEntry,
    name: Buffer,
    linkKey: string | null,
    result: FileOutcome,
  ): TreeEntry | null {
    this.options.onFileDone(entry)
    if (result.kind === 'skipped') {
      this.options.warn({
        path: displayName(entry.path),
        message: `Not backed up: ${result.reason}.`,
      })
      return null
    }
    const torn = result.changedWhileReading !== null
    if (torn) {
      this.options.warn({
        path: displayName(entry.path),
        message: `Changed while it was read (${result.changedWhileReading}); the restore point marks it, and the next backup reads it again.`,
      })
    }
    const file = baseEntry(entry, name, 'file', splitNs(result.mtimeNs))
    file.size = result.size
    file.content = result.content
    if (linkKey !== null) file.linkGroup = Buffer.from(linkKey)
    if (entry.sparse) file.sparse = true
    if (torn) file.changedWhileReading = true
    if (!result.stale) {
      const ctime = splitNs(entry.ctimeNs)
      file.changeKey = {
        ctimeSec: ctime.sec,
        ctimeNsec: ctime.nsec,
        device: entry.dev,
        inode: entry.inode,
      }
    }
    return file
  }
}

function baseEntry(entry: SourceEntry, name: Buffer, type: EntryType, mtime: SplitTime): TreeEntry {
  const out: TreeEntry = {
    name: Buffer.from(name),
    type,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    mtimeSec: mtime.sec,
    mtimeNsec: mtime.nsec,
    size: 0,
  }
  if (entry.user !== null) out.uname = entry.user
  if (entry.group !== null) out.gname = entry.group
  return out
}

function dirEntry(entry: SourceEntry, name: Buffer, subtree: string): TreeEntry {
  const dir = baseEntry(entry, name, 'dir', splitNs(entry.mtimeNs))
  dir.subtree = subtree
  return dir
}
