import { ByteReader, FormatError } from '../binary/byte-reader'
import { ByteWriter } from '../binary/byte-writer'
import { bytesToId, idToBytes } from '../util/hex'
import { compareNames, ENTRY_TYPE_BY_CODE, ENTRY_TYPE_CODE, type TreeEntry } from './tree-entry'

/**
 * Tree blob plaintext, format version 1 (deterministic: equal directories give equal bytes and
 * therefore the same blob id, so unchanged directories are stored once):
 *
 *   version u8 (1) || entry count uvarint || entries, strictly ascending by name bytes
 *
 * entry = name (uvarint length || bytes) || type u8 || flags uvarint || mode uvarint
 *         || uid uvarint || gid uvarint || mtime seconds svarint (zig-zag) || mtime ns uvarint
 *         [|| uname (uvarint length || UTF-8)]       flag 0x04
 *         [|| gname (uvarint length || UTF-8)]       flag 0x08
 *         [|| link group (uvarint length || bytes)]  flag 0x10
 *         [|| xattr count uvarint || (name, value) as length-prefixed bytes, names ascending] flag 0x20
 *         [|| ctime seconds svarint || ctime ns uvarint || device uvarint || inode u64 LE]  flag 0x40
 *         || per type:
 *            file:     size uvarint || blob count uvarint || blob ids (32 bytes each)
 *            dir:      subtree id (32)
 *            symlink:  target (uvarint length || bytes)
 *            chardev, blockdev: major uvarint || minor uvarint
 *            fifo, socket: nothing
 * flags: 0x01 changed while reading, 0x02 sparse (other flags: the optional fields above). Unknown
 * flags are an error.
 * Varints are unsigned LEB128 (minimal); numbers are at most 2^53 - 1.
 */
const TREE_VERSION = 1
const FLAG_CHANGED = 0x01
const FLAG_SPARSE = 0x02
const FLAG_UNAME = 0x04
const FLAG_GNAME = 0x08
const FLAG_LINK_GROUP = 0x10
const FLAG_XATTRS = 0x20
const FLAG_CHANGE_KEY = 0x40
const KNOWN_FLAGS = 0x7f
const MAX_NAME = 4096
const MAX_FIELD = 1 << 20

export class TreeFormatError extends Error {}

/** Names must be usable as one path component anywhere we restore. */
export function checkEntryName(name: Uint8Array): string | null {
  if (name.length === 0) return 'empty name'
  if (name.length > MAX_NAME) return 'name longer than 4096 bytes'
  if (name.length === 1 && name[0] === 0x2e) return 'name "."'
  if (name.length === 2 && name[0] === 0x2e && name[1] === 0x2e) return 'name ".."'
  if (name.includes(0x2f)) return 'name contains "/"'
  if (name.includes(0)) return 'name contains NUL'
  return null
}

export function encodeTree(entries: readonly TreeEntry[]): Buffer {
  const writer = new ByteWriter(64 + entries.length * 96)
  writer.u8(TREE_VERSION).uvarint(entries.length)
  let previous: Uint8Array | null = null
  for (const entry of entries) {
    const problem = checkEntryName(entry.name)
    if (problem) throw new TreeFormatError(`invalid entry: ${problem}`)
    if (previous && compareNames(previous, entry.name) >= 0) {
      throw new TreeFormatError('entries must be sorted by name and unique')
    }
    previous = entry.name
    writeEntry(writer, entry)
  }
  return writer.finish()
}

function writeEntry(writer: ByteWriter, entry: TreeEntry): void {
  let flags = 0
  if (entry.changedWhileReading) flags |= FLAG_CHANGED
  if (entry.sparse) flags |= FLAG_SPARSE
  if (entry.uname !== undefined) flags |= FLAG_UNAME
  if (entry.gname !== undefined) flags |= FLAG_GNAME
  if (entry.linkGroup !== undefined) flags |= FLAG_LINK_GROUP
  if (entry.xattrs !== undefined && entry.xattrs.length > 0) flags |= FLAG_XATTRS
  if (entry.changeKey !== undefined) flags |= FLAG_CHANGE_KEY
  if (!(entry.mtimeNsec >= 0 && entry.mtimeNsec < 1e9))
    throw new TreeFormatError('mtimeNsec out of range')
  writer
    .lengthPrefixed(entry.name)
    .u8(ENTRY_TYPE_CODE[entry.type])
    .uvarint(flags)
    .uvarint(entry.mode)
    .uvarint(entry.uid)
    .uvarint(entry.gid)
    .svarint(entry.mtimeSec)
    .uvarint(entry.mtimeNsec)
  if (entry.uname !== undefined) writer.lengthPrefixed(Buffer.from(entry.uname, 'utf8'))
  if (entry.gname !== undefined) writer.lengthPrefixed(Buffer.from(entry.gname, 'utf8'))
  if (entry.linkGroup !== undefined) writer.lengthPrefixed(entry.linkGroup)
  if (flags & FLAG_XATTRS) {
    const xattrs = [...entry.xattrs!].sort((a, b) => compareNames(a.name, b.name))
    writer.uvarint(xattrs.length)
    for (const xattr of xattrs) writer.lengthPrefixed(xattr.name).lengthPrefixed(xattr.value)
  }
  if (entry.changeKey !== undefined) {
    const key = entry.changeKey
    if (!(key.ctimeNsec >= 0 && key.ctimeNsec < 1e9))
      throw new TreeFormatError('ctimeNsec out of range')
    if (key.inode < 0n || key.inode >= 1n << 64n) throw new TreeFormatError('inode out of range')
    const inode = Buffer.alloc(8)
    inode.writeBigUInt64LE(key.inode)
    writer.svarint(key.ctimeSec).uvarint(key.ctimeNsec).uvarint(key.device).bytes(inode)
  }
  switch (entry.type) {
    case 'file': {
      const content = entry.content ?? []
      writer.uvarint(entry.size).uvarint(content.length)
      for (const id of content) writer.bytes(idToBytes(id))
      break
    }
    case 'dir':
      if (!entry.subtree) throw new TreeFormatError('a directory entry needs a subtree')
      writer.bytes(idToBytes(entry.subtree))
      break
    case 'symlink':
      if (!entry.target) throw new TreeFormatError('a symlink entry needs a target')
      writer.lengthPrefixed(entry.target)
      break
    case 'chardev':
    case 'blockdev':
      writer.uvarint(entry.deviceMajor ?? 0).uvarint(entry.deviceMinor ?? 0)
      break
    default:
      break
  }
}

export function decodeTree(plain: Uint8Array): TreeEntry[] {
  try {
    return decode(plain)
  } catch (error) {
    if (error instanceof FormatError) throw new TreeFormatError(error.message)
    throw error
  }
}

function decode(plain: Uint8Array): TreeEntry[] {
  const reader = new ByteReader(plain)
  if (reader.u8() !== TREE_VERSION) throw new TreeFormatError('unsupported tree version')
  const count = reader.uvarint()
  if (count > reader.remaining) throw new TreeFormatError('tree entry count exceeds its size')
  const entries: TreeEntry[] = []
  let previous: Uint8Array | null = null
  for (let i = 0; i < count; i++) {
    const name = Buffer.from(reader.lengthPrefixed(MAX_NAME))
    const problem = checkEntryName(name)
    if (problem) throw new TreeFormatError(`invalid entry: ${problem}`)
    if (previous && compareNames(previous, name) >= 0)
      throw new TreeFormatError('tree entries are not sorted')
    previous = name
    const type = ENTRY_TYPE_BY_CODE.get(reader.u8())
    if (!type) throw new TreeFormatError('unknown entry type')
    const flags = reader.uvarint()
    if (flags & ~KNOWN_FLAGS) throw new TreeFormatError('unknown entry flags')
    const entry: TreeEntry = {
      name,
      type,
      mode: reader.uvarint(),
      uid: reader.uvarint(),
      gid: reader.uvarint(),
      mtimeSec: reader.svarint(),
      mtimeNsec: reader.uvarint(),
      size: 0,
    }
    if (entry.mtimeNsec >= 1e9) throw new TreeFormatError('mtime nanoseconds out of range')
    if (flags & FLAG_CHANGED) entry.changedWhileReading = true
    if (flags & FLAG_SPARSE) entry.sparse = true
    if (flags & FLAG_UNAME) entry.uname = reader.lengthPrefixed(MAX_NAME).toString('utf8')
    if (flags & FLAG_GNAME) entry.gname = reader.lengthPrefixed(MAX_NAME).toString('utf8')
    if (flags & FLAG_LINK_GROUP) entry.linkGroup = Buffer.from(reader.lengthPrefixed(MAX_NAME))
    if (flags & FLAG_XATTRS) {
      const n = reader.uvarint()
      if (n > reader.remaining) throw new TreeFormatError('xattr count exceeds tree size')
      entry.xattrs = []
      for (let x = 0; x < n; x++) {
        entry.xattrs.push({
          name: Buffer.from(reader.lengthPrefixed(MAX_NAME)),
          value: Buffer.from(reader.lengthPrefixed(MAX_FIELD)),
        })
      }
    }
    if (flags & FLAG_CHANGE_KEY) {
      entry.changeKey = {
        ctimeSec: reader.svarint(),
        ctimeNsec: reader.uvarint(),
        device: reader.uvarint(),
        inode: reader.bytes(8).readBigUInt64LE(),
      }
      if (entry.changeKey.ctimeNsec >= 1e9)
        throw new TreeFormatError('ctime nanoseconds out of range')
    }
    switch (type) {
      case 'file': {
        entry.size = reader.uvarint()
        const blobs = reader.uvarint()
        if (blobs * 32 > reader.remaining)
          throw new TreeFormatError('content list exceeds tree size')
        entry.content = []
        for (let b = 0; b < blobs; b++) entry.content.push(bytesToId(reader.bytes(32)))
        break
      }
      case 'dir':
        entry.subtree = bytesToId(reader.bytes(32))
        break
      case 'symlink':
        entry.target = Buffer.from(reader.lengthPrefixed(MAX_FIELD))
        entry.size = entry.target.length
        break
      case 'chardev':
      case 'blockdev':
        entry.deviceMajor = reader.uvarint()
        entry.deviceMinor = reader.uvarint()
        break
      default:
        break
    }
    entries.push(entry)
  }
  reader.expectEnd()
  return entries
}
