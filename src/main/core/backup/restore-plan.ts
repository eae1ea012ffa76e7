import { CairnError } from '../../../shared/errors'
import type { SnapshotReader, TreeEntry } from '../repo'
import { displayPath } from '../repo'
import type { RestoreEntry } from '../remote/restore-writer'
import type { SafeEntryType } from '../remote/safe-path'
import { type SnapshotView, resolveInView, viewComponents } from './view'

/** A restore entry planned from the trees; `blobs` is the content to fetch (files only). */
export interface PlannedEntry extends RestoreEntry {
  blobs: readonly string[]
  sparse: boolean
}

/** Which parts of the view to restore: a trie of included names; `all` below a marked node. */
export interface Selection {
  all: boolean
  children: Map<string, Selection>
}

const key = (name: Uint8Array) => Buffer.from(name).toString('latin1')

/**
 * Resolves include paths (display syntax, relative to the view or absolute as on the source) to
 * a selection, failing with `not_found` for a path the restore point does not have, before
 * anything is written.
 */
export async function selectPaths(
  reader: SnapshotReader,
  view: SnapshotView,
  include: readonly string[] | undefined,
): Promise<Selection | null> {
  if (!include || include.length === 0) return null
  const root: Selection = { all: false, children: new Map() }
  for (const path of include) {
    const components = viewComponents(view, path)
    if (components.length === 0) return null // the whole restore point
    await resolveInView(reader, view, components, path)
    let node = root
    for (const name of components) {
      let child = node.children.get(key(name))
      if (!child) {
        child = { all: false, children: new Map() }
        node.children.set(key(name), child)
      }
      node = child
    }
    node.all = true
  }
  return root
}

function nsOf(entry: TreeEntry): bigint {
  return BigInt(entry.mtimeSec) * 1_000_000_000n + BigInt(entry.mtimeNsec)
}

function restoreType(entry: TreeEntry): SafeEntryType {
  // Devices and sockets keep their own type name: the path guard refuses them by it.
  return (
    entry.type === 'chardev' || entry.type === 'blockdev' || entry.type === 'socket'
      ? entry.type
      : entry.type
  ) as SafeEntryType
}

function plannedEntry(entry: TreeEntry, path: Buffer): PlannedEntry {
  return {
    path,
    type: restoreType(entry),
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    user: entry.uname ?? null,
    group: entry.gname ?? null,
    mtimeNs: nsOf(entry),
    size: entry.type === 'file' ? entry.size : 0,
    linkTarget: entry.type === 'symlink' ? Buffer.from(entry.target ?? []) : null,
    blobs: entry.type === 'file' ? (entry.content ?? []) : [],
    sparse: entry.sparse === true,
  }
}

/**
 * The entries of a restore, depth first (a folder before its contents, names in byte order),
 * paths relative to the target. A full restore of a single-folder restore point starts with the
 * target itself (path ''), which gets the folder's mode and mtime. Later paths of a hard-link
 * group become hard links to the first one restored.
 */
export async function* planEntries(
  reader: SnapshotReader,
  view: SnapshotView,
  selection: Selection | null,
): AsyncGenerator<PlannedEntry> {
  const firstOfGroup = new Map<string, Buffer>()
  if (!selection && view.self) yield plannedEntry(view.self, Buffer.alloc(0))
  async function* walk(
    entries: readonly TreeEntry[],
    dir: Buffer,
    sel: Selection | null,
  ): AsyncGenerator<PlannedEntry> {
    for (const entry of entries) {
      const child = sel ? sel.children.get(key(entry.name)) : undefined
      if (sel && !child) continue
      const below = child && !child.all ? child : null
      const path =
        dir.length === 0
          ? Buffer.from(entry.name)
          : Buffer.concat([dir, Buffer.from('/'), entry.name])
      const planned = plannedEntry(entry, path)
      if (entry.type === 'file' && entry.linkGroup) {
        const group = key(entry.linkGroup)
        const first = firstOfGroup.get(group)
        if (first) {
          yield { ...planned, type: 'hardlink', size: 0, linkTarget: first, blobs: [] }
          continue
        }
        firstOfGroup.set(group, path)
      }
      yield planned
      if (entry.type === 'dir' && entry.subtree) {
        yield* walk(await reader.readTree(entry.subtree), path, below)
      }
    }
  }
  yield* walk(view.entries, Buffer.alloc(0), selection && !selection.all ? selection : null)
}

/** Files with content reordered at once (bounds the entries held here)... */
const REORDER_FILES = 4096
/** ...or files holding this many bytes. */
const REORDER_BYTES = 64 * 1024 * 1024

/**
 * The planned entries with files reordered, a window at a time, by where their content starts in
 * the packs. A backup stores files in listing order (`find`, directory order), a restore walks
 * them sorted by name: in name order, consecutive files' blobs lie far apart, so a window's
 * ranged GETs were many and short, and each range stayed in memory until the last of its blobs
 * was reached. In pack order they are read nearly front to back (restic writes blobs to files in
 * pack order for the same reason).
 *
 * Only files move, and only later: every other entry of a window goes out first, in plan order,
 * so a file still comes after its folders (a restore writes nothing through a path it has not
 * checked), and hard links go out after the window's files, so after the file they link to.
 * Within a window the order is deterministic (pack, offset, then plan order).
 */
export async function* inPackOrder(
  reader: SnapshotReader,
  planned: AsyncIterable<PlannedEntry>,
): AsyncGenerator<PlannedEntry> {
  let others: PlannedEntry[] = []
  let files: { entry: PlannedEntry; pack: string; offset: number; at: number }[] = []
  let links: PlannedEntry[] = []
  let bytes = 0
  const flush = function* () {
    yield* others
    files.sort((a, b) =>
      a.pack < b.pack ? -1 : a.pack > b.pack ? 1 : a.offset - b.offset || a.at - b.at,
    )
    for (const file of files) yield file.entry
    yield* links
    others = []
    files = []
    links = []
    bytes = 0
  }
  for await (const entry of planned) {
    if (entry.type === 'file' && entry.blobs.length > 0) {
      // A blob the index lacks sorts last; reading it reports the damage as before.
      let pack = '\uffff'
      let offset = 0
      try {
        const location = reader.locate(entry.blobs[0]!)
        pack = location.pack.id
        offset = location.offset
      } catch {
        // reported when read
      }
      files.push({ entry, pack, offset, at: files.length })
      bytes += entry.size ?? 0
    } else if (entry.type === 'hardlink') links.push(entry)
    else if (files.length === 0 && links.length === 0) yield entry
    else others.push(entry)
    if (files.length >= REORDER_FILES || bytes >= REORDER_BYTES) yield* flush()
  }
  yield* flush()
}

/**
 * Attaches each file's content to the planned entries. The contents of consecutive files are
 * fetched together (`SnapshotReader.readFiles`: windows of blobs read with few ranged GETs, every
 * blob authenticated before it is handed out), while the entries are yielded one at a time in
 * plan order; a file's content must be consumed before the next entry is asked for, and is
 * drained here if the consumer skipped it (a refused entry).
 */
export async function* withContent(
  reader: SnapshotReader,
  planned: AsyncIterable<PlannedEntry>,
  state: { current: Buffer | null } = { current: null },
): AsyncGenerator<PlannedEntry> {
  const queue: PlannedEntry[] = []
  let walked = false
  interface Fetch {
    content: readonly string[]
    planned: PlannedEntry
  }
  async function* feed(): AsyncGenerator<Fetch> {
    for await (const entry of planned) {
      queue.push(entry)
      if (entry.type === 'file' && entry.blobs.length > 0)
        yield { content: entry.blobs, planned: entry }
    }
    walked = true
  }
  const contents = reader.readFiles(feed())[Symbol.asyncIterator]()
  let held: { file: Fetch; data: Buffer; last: boolean } | null = null
  const next = async () => {
    if (held) {
      const value = held
      held = null
      return value
    }
    const result = await contents.next()
    return result.done ? null : result.value
  }
  try {
    for (;;) {
      if (queue.length === 0) {
        if (walked) return
        // Advance the walk: the content stream pulls plan entries until it has a file to read.
        const event = await next()
        if (event) held = event
        else if (queue.length === 0) return
        continue
      }
      const entry = queue.shift()!
      if (entry.type !== 'file' || entry.blobs.length === 0) {
        yield entry.type === 'file' ? { ...entry, content: empty() } : entry
        continue
      }
      let finished = false
      async function* content(): AsyncGenerator<Buffer> {
        for (;;) {
          const event = await next()
          if (!event || event.file.planned !== entry) {
            throw new CairnError('internal', 'The restore lost track of file contents.')
          }
          if (event.data.length > 0) yield event.data
          if (event.last) {
            finished = true
            return
          }
        }
      }
      state.current = entry.path
      yield { ...entry, content: content() }
      // The consumer did not read it all (refused entry, or stopped early): skip the rest.
      while (!finished) {
        const event = await next()
        if (!event) break
        if (event.last) finished = true
      }
      state.current = null
    }
  } finally {
    await contents.return?.(undefined)
  }
}

async function* empty(): AsyncGenerator<Buffer> {}

/** For messages: a restore path as people read it. */
export function shownPath(path: Buffer): string {
  return path.length === 0 ? '.' : displayPath(splitPath(path))
}

function splitPath(path: Buffer): Buffer[] {
  const parts: Buffer[] = []
  let start = 0
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path[i] === 0x2f) {
      parts.push(path.subarray(start, i))
      start = i + 1
    }
  }
  return parts
}
