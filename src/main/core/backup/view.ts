import { CairnError } from '../../../shared/errors'
import type { SnapshotReader, TreeEntry } from '../repo'
import { checkEntryName } from '../repo'
import type { Snapshot } from '../repo'

/**
 * How a restore point looks to people and to restore: its root tree has one entry per backed-up
 * path (named by `rootEntryNames`). When a restore point holds exactly one folder (the usual case,
 * e.g. /home/dev), its *view* is that folder: browse shows its contents at the top, and a restore
 * writes its contents into the target (and gives the target the folder's mode and mtime).
 * Otherwise the view is the root tree itself: one entry per backed-up path.
 */
export interface SnapshotView {
  /** Entries at the top of the view. */
  entries: TreeEntry[]
  /** The folder the view stands for (single-folder restore points), or null. */
  self: TreeEntry | null
  /** The backed-up path each top name came from (for absolute include paths). */
  roots: { name: Buffer; path: string }[]
}

/**
 * The names of the root tree's entries for the backed-up paths, in the same order: each path's
 * last component; '/' becomes "root"; a name taken by an earlier path gets "~2", "~3", ...
 */
export function rootEntryNames(paths: readonly string[]): Buffer[] {
  const taken = new Set<string>()
  return paths.map((path) => {
    const base = path === '/' ? 'root' : path.slice(path.lastIndexOf('/') + 1)
    let name = base
    for (let n = 2; taken.has(name); n++) name = `${base}~${n}`
    taken.add(name)
    return Buffer.from(name, 'utf8')
  })
}

export async function openView(reader: SnapshotReader, snapshot: Snapshot): Promise<SnapshotView> {
  const top = await reader.readTree(snapshot.tree)
  const names = rootEntryNames(snapshot.paths)
  const roots = snapshot.paths.map((path, i) => ({ name: names[i]!, path }))
  if (top.length === 1 && snapshot.paths.length === 1 && top[0]!.type === 'dir') {
    const self = top[0]!
    return { entries: await reader.readTree(self.subtree!), self, roots }
  }
  return { entries: top, self: null, roots }
}

/**
 * Parses a path in display syntax (names as `displayName` shows them: `\xNN` for a byte, `\\` for
 * a backslash, '/' between names) back into raw name bytes. Empty components and '.' are dropped;
 * '..' is refused.
 */
export function parseDisplayPath(path: string): Buffer[] {
  const parts: Buffer[] = []
  for (const component of path.split('/')) {
    if (component === '' || component === '.') continue
    const bytes: number[] = []
    for (let i = 0; i < component.length; i++) {
      const c = component[i]!
      if (c === '\\') {
        const next = component[i + 1]
        if (next === '\\') {
          bytes.push(0x5c)
          i++
          continue
        }
        const hex = /^x([0-9a-fA-F]{2})/.exec(component.slice(i + 1))
        if (hex) {
          bytes.push(parseInt(hex[1]!, 16))
          i += 3
          continue
        }
      }
      const code = component.codePointAt(i)!
      if (code > 0xffff) i++
      bytes.push(...Buffer.from(String.fromCodePoint(code), 'utf8'))
    }
    const name = Buffer.from(bytes)
    const problem = checkEntryName(name)
    if (problem) {
      throw new CairnError('invalid_input', `"${path}" is not a valid path in a restore point.`)
    }
    parts.push(name)
  }
  return parts
}

/**
 * A path given by a user, relative to the view ('src/main.ts') or absolute as on the source
 * ('/home/dev/src/main.ts'), as name components inside the view.
 */
export function viewComponents(view: SnapshotView, path: string): Buffer[] {
  if (path.startsWith('/') && path !== '/') {
    const candidates = view.roots
      .filter(
        (root) => path === root.path || path.startsWith(root.path === '/' ? '/' : `${root.path}/`),
      )
      .sort((a, b) => b.path.length - a.path.length)
    const root = candidates[0]
    if (root) {
      const rest = parseDisplayPath(path.slice(root.path.length))
      return view.self ? rest : [root.name, ...rest]
    }
  }
  return parseDisplayPath(path)
}

/** The entry at `components` in the view (null at the top), or a `not_found` error. */
export async function resolveInView(
  reader: SnapshotReader,
  view: SnapshotView,
  components: readonly Buffer[],
  shown: string,
): Promise<{ entry: TreeEntry | null; siblings: TreeEntry[] }> {
  let entries = view.entries
  let entry: TreeEntry | null = view.self
  for (let i = 0; i < components.length; i++) {
    const name = components[i]!
    const found = entries.find((e) => Buffer.compare(e.name, name) === 0)
    if (!found || (i < components.length - 1 && found.type !== 'dir')) {
      throw new CairnError('not_found', `The restore point has no ${shown}.`)
    }
    entry = found
    if (i < components.length - 1) entries = await reader.readTree(found.subtree!)
  }
  return { entry, siblings: entries }
}
