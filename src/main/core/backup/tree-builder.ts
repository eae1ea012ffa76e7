import { CairnError } from '../../../shared/errors'
import type { SnapshotReader, SnapshotWriter, TreeEntry } from '../repo'
import { displayName, isDamage } from '../repo'
import type { EntryType } from '../repo'
import { changeKeyOf, isUnchanged, splitNs } from './change-detection'
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
  /** This directory as the parent restore point had it. */
  parent: Promise<ParentDir>
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
}

/**
 * Builds the restore point's trees bottom-up from the listing, which comes depth first (a
 * directory, then everything below it): only the directories on the path to the current entry
 * are open, each closed (its tree written) as soon as the listing leaves it. For each entry the
 * parent restore point's version is found by name in the matching parent directory (loaded when
 * the directory is entered, O(1) per entry); unchanged files reuse their content without reading.
 */
export class TreeBuilder {
  private readonly stack: OpenDir[] = []
  private readonly roots: Pending[] = []
  /** First outcome of each multiply-linked inode in this backup (device:inode). */
  private readonly linked = new Map<string, Promise<FileOutcome>>()

  constructor(private readonly options: TreeBuilderOptions) {}

  /** A new backed-up path starts: its top entry, its name in the root tree, its parent version. */
  async addRoot(entry: SourceEntry, name: Buffer, parentEntry: TreeEntry | null): Promise<void> {
    this.closeAll()
    if (entry.type === 'dir') {
      this.stack.push({
        relPath: EMPTY,
        name,
        entry,
        children: [],
        parent: this.loadParentDir(parentEntry, entry),
      })
    } else {
      this.roots.push((await this.leaf(entry, name, parentEntry)).pending)
    }
  }

  /** An entry below the current root, in listing order. */
  async add(entry: SourceEntry): Promise<void> {
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
    const parentDir = await top.parent
    const old = parentDir?.get(name.toString('latin1')) ?? null
    if (entry.type === 'dir') {
      this.stack.push({
        relPath,
        name,
        entry,
        children: [],
        parent: this.loadParentDir(old, entry),
      })
    } else {
      top.children.push((await this.leaf(entry, name, old)).pending)
    }
  }

  /** Closes everything and writes the root tree; returns its id. */
  async finish(): Promise<string> {
    this.closeAll()
    const entries = await Promise.all(this.roots)
    return this.options.writer.writeTree(entries.filter((e): e is TreeEntry => e !== null))
  }

  private closeAll(): void {
    while (this.stack.length > 0) this.close()
  }

  private close(): void {
    const dir = this.stack.pop()!
    const writer = this.options.writer
    const tree = Promise.all(dir.children).then(async (children) => {
      const subtree = await writer.writeTree(children.filter((e): e is TreeEntry => e !== null))
      return {
        ...baseEntry(dir.entry, dir.name),
        type: 'dir',
        size: 0,
        subtree,
      } satisfies TreeEntry
    })
    tree.catch((error: unknown) => this.options.fail(error))
    const parent = this.stack[this.stack.length - 1]
    if (parent) parent.children.push(tree)
    else this.roots.push(tree)
  }

  private loadParentDir(old: TreeEntry | null, entry: SourceEntry): Promise<ParentDir> {
    const reader = this.options.parentReader
    if (!reader || !old || old.type !== 'dir' || !old.subtree) return Promise.resolve(null)
    const loaded = reader.readTree(old.subtree).then(
      (entries) => new Map(entries.map((e) => [Buffer.from(e.name).toString('latin1'), e])),
      (error: unknown) => {
        if (!isDamage(error)) throw error
        this.options.warn({
          path: displayName(entry.path),
          message: `The previous restore point is damaged here (${error.message}); this folder is read in full.`,
        })
        return null
      },
    )
    loaded.catch((error: unknown) => this.options.fail(error))
    return loaded
  }

  /**
   * A non-directory entry: at once, or (files to read) once its content is stored. Wrapped in an
   * object: an async function returning a promise would wait for it.
   */
  private async leaf(
    entry: SourceEntry,
    name: Buffer,
    old: TreeEntry | null,
  ): Promise<{ pending: Pending }> {
    const type = TYPES[entry.type]
    if (!type) {
      this.options.warn({
        path: displayName(entry.path),
        message: `Left out: Cairn does not back up entries of this kind (${entry.type}).`,
      })
      return { pending: null }
    }
    const base = baseEntry(entry, name)
    if (type === 'symlink') {
      const target = entry.linkTarget ?? EMPTY
      return { pending: { ...base, type, size: target.length, target } }
    }
    if (type !== 'file') {
      return { pending: { ...base, type, size: 0, deviceMajor: 0, deviceMinor: 0 } }
    }

    const linkKey = entry.nlink > 1 ? `${entry.dev}:${entry.inode}` : null
    const linkGroup = linkKey === null ? {} : { linkGroup: Buffer.from(linkKey) }
    const sparse = entry.sparse ? { sparse: true } : {}
    let outcome: Promise<FileOutcome> | undefined = linkKey ? this.linked.get(linkKey) : undefined
    if (!outcome) {
      const writer = this.options.writer
      if (
        old &&
        isUnchanged(entry, old, this.options.changeDetection) &&
        (old.content ?? []).every((id) => writer.hasBlob(id))
      ) {
        this.options.onUnchanged(entry)
        outcome = Promise.resolve({
          kind: 'stored',
          content: old.content ?? [],
          size: old.size,
          mtimeNs: entry.mtimeNs,
          changedWhileReading: null,
          stale: false,
        })
      } else if (entry.size === 0) {
        this.options.onUnchanged(entry)
        outcome = Promise.resolve({
          kind: 'stored',
          content: [],
          size: 0,
          mtimeNs: entry.mtimeNs,
          changedWhileReading: null,
          stale: false,
        })
      } else {
        const job = fileJob(entry)
        this.options.onToRead(entry)
        await this.options.reader.add(job)
        outcome = job.outcome
      }
      if (linkKey) this.linked.set(linkKey, outcome)
    }
    const pending = outcome.then((result): TreeEntry | null => {
      this.options.onFileDone(entry)
      if (result.kind === 'skipped') {
        this.options.warn({
          path: displayName(entry.path),
          message: `Not backed up: ${result.reason}.`,
        })
        return null
      }
      const mtime = splitNs(result.mtimeNs)
      const torn = result.changedWhileReading !== null
      if (torn) {
        this.options.warn({
          path: displayName(entry.path),
          message: `Changed while it was read (${result.changedWhileReading}); the restore point marks it, and the next backup reads it again.`,
        })
      }
      return {
        ...base,
        ...linkGroup,
        ...sparse,
        type: 'file',
        mtimeSec: mtime.sec,
        mtimeNsec: mtime.nsec,
        size: result.size,
        content: result.content,
        ...(torn ? { changedWhileReading: true } : {}),
        ...(result.stale ? {} : { changeKey: changeKeyOf(entry) }),
      }
    })
    pending.catch((error: unknown) => this.options.fail(error))
    return { pending }
  }
}

function baseEntry(entry: SourceEntry, name: Buffer) {
  const mtime = splitNs(entry.mtimeNs)
  return {
    name: Buffer.from(name),
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    ...(entry.user !== null ? { uname: entry.user } : {}),
    ...(entry.group !== null ? { gname: entry.group } : {}),
    mtimeSec: mtime.sec,
    mtimeNsec: mtime.nsec,
  }
}
