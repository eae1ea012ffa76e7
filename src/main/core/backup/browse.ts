import type { TreeEntry } from '../repo'
import { displayName } from '../repo'
import type { BrowseEntry, BrowseOptions, BrowseResult } from './types'
import { openView, resolveInView, viewComponents } from './view'

function browseEntry(entry: TreeEntry): BrowseEntry {
  return {
    name: displayName(entry.name),
    type: entry.type,
    size: entry.size,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    user: entry.uname ?? null,
    group: entry.gname ?? null,
    mtime: new Date(entry.mtimeSec * 1000 + Math.floor(entry.mtimeNsec / 1e6)).toISOString(),
    mtimeNsec: entry.mtimeNsec,
    target: entry.type === 'symlink' && entry.target ? displayName(entry.target) : null,
    changedWhileReading: entry.changedWhileReading === true,
  }
}

/**
 * Lists a folder of a restore point (or describes one file) without restoring anything. Paths are
 * in display syntax, relative to the restore point's view (see view.ts) or absolute as on the
 * source; '' or '/' is the top. Only tree blobs are read (from cached tree packs).
 */
export async function browse(options: BrowseOptions): Promise<BrowseResult> {
  const { reader } = options
  const snapshot = await reader.loadSnapshot(options.snapshotId)
  const view = await openView(reader, snapshot.snapshot)
  const path = options.path ?? ''
  const components = viewComponents(view, path)
  const { entry } = await resolveInView(reader, view, components, path)
  let entries: TreeEntry[] = []
  if (components.length === 0) entries = view.entries
  else if (entry?.type === 'dir' && entry.subtree) entries = await reader.readTree(entry.subtree)
  return {
    snapshot,
    path: components.map(displayName).join('/'),
    self: entry ? browseEntry(entry) : null,
    entries: entries.map(browseEntry),
  }
}
