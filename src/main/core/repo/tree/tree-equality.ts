import type { TreeEntry } from './tree-entry'

/**
 * Whether encoding `fresh` (tree-codec.ts) gives exactly the bytes `stored` was decoded from.
 * A backup uses it to keep a folder's tree id from the parent restore point when every entry is
 * unchanged, instead of encoding, hashing and looking up the same tree again: equal entry bytes,
 * in the same (sorted, unique) order, are an equal tree and so the same id under the same key.
 *
 * Compares every field the encoding writes, with the encoder's own defaults (a missing content
 * list is an empty one, missing device numbers are 0). Decoding is exact (minimal varints, sorted
 * unique names, fixed-size ids and inode) except in two places, where `stored` is refused here:
 * extended attributes (stored sorted; a flagged empty list reads back as `[]` but encodes without
 * the flag) and user/group names that were not valid UTF-8 (they decode to U+FFFD). Cairn never
 * writes either today, so this costs nothing in practice.
 */
export function encodesSame(fresh: TreeEntry, stored: TreeEntry): boolean {
  if (fresh.type !== stored.type) return false
  if (
    fresh.mode !== stored.mode ||
    fresh.uid !== stored.uid ||
    fresh.gid !== stored.gid ||
    fresh.mtimeSec !== stored.mtimeSec ||
    fresh.mtimeNsec !== stored.mtimeNsec
  )
    return false
  if (Buffer.compare(fresh.name, stored.name) !== 0) return false
  if (!fresh.changedWhileReading !== !stored.changedWhileReading) return false
  if (!fresh.sparse !== !stored.sparse) return false
  if (fresh.uname !== stored.uname || fresh.gname !== stored.gname) return false
  if (stored.uname?.includes('\uFFFD') || stored.gname?.includes('\uFFFD')) return false
  if (stored.xattrs !== undefined || (fresh.xattrs !== undefined && fresh.xattrs.length > 0))
    return false
  if (!sameOptionalBytes(fresh.linkGroup, stored.linkGroup)) return false
  const a = fresh.changeKey
  const b = stored.changeKey
  if (a === undefined || b === undefined) {
    if (a !== b) return false
  } else if (
    a.ctimeSec !== b.ctimeSec ||
    a.ctimeNsec !== b.ctimeNsec ||
    a.device !== b.device ||
    a.inode !== b.inode
  )
    return false
  switch (fresh.type) {
    case 'file': {
      if (fresh.size !== stored.size) return false
      const x = fresh.content ?? []
      const y = stored.content ?? []
      if (x.length !== y.length) return false
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
      return true
    }
    case 'dir':
      return fresh.subtree !== undefined && fresh.subtree === stored.subtree
    case 'symlink':
      return (
        fresh.target !== undefined &&
        stored.target !== undefined &&
        Buffer.compare(fresh.target, stored.target) === 0
      )
    case 'chardev':
    case 'blockdev':
      return (
        (fresh.deviceMajor ?? 0) === (stored.deviceMajor ?? 0) &&
        (fresh.deviceMinor ?? 0) === (stored.deviceMinor ?? 0)
      )
    default:
      return true
  }
}

function sameOptionalBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return Buffer.compare(a, b) === 0
}
