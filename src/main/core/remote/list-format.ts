/**
 * The record format of the remote listing and its parser. One record per entry, five fields, each
 * terminated by NUL (the one byte no file name can hold), so names with spaces, newlines and
 * non-UTF-8 bytes pass through unchanged:
 *
 *   "%y %m %U %G %s %T@ %C@ %i %D %n %b %d" NUL  %l NUL  %P NUL
 *
 * type, permission bits (octal, with setuid/setgid/sticky), uid, gid, size, mtime and ctime
 * (seconds.fraction), inode, device, link count, 512-byte blocks allocated, depth; then the symlink
 * target and the path relative to its starting point. User and group names are not printed per
 * entry (%u/%g cost find a passwd lookup each, 4x the whole listing): see owner-names.ts.
 */
export const FIND_PRINTF_FORMAT = '%y %m %U %G %s %T@ %C@ %i %D %n %b %d\\0%l\\0%P\\0'

export type EntryType =
  'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char-device' | 'block-device' | 'unknown'

const TYPES: Record<string, EntryType> = {
  f: 'file',
  d: 'dir',
  l: 'symlink',
  p: 'fifo',
  s: 'socket',
  c: 'char-device',
  b: 'block-device',
}

/** One entry as `find` saw it; exactly the record, nothing derived from the desktop. */
export interface RawRecord {
  type: EntryType
  /** Permission bits including setuid, setgid and sticky (0o7777 mask). */
  mode: number
  uid: number
  gid: number
  size: number
  mtimeNs: bigint
  ctimeNs: bigint
  inode: bigint
  dev: number
  nlink: number
  /** 512-byte blocks allocated; fewer than size needs means the file has holes (sparse). */
  blocks: number
  /** 0 for a starting point, 1 for its children, ... */
  depth: number
  /** Raw bytes; null unless type is 'symlink'. */
  linkTarget: Buffer | null
  /** Raw bytes, relative to the starting point; empty for the starting point itself. */
  relPath: Buffer
}

const FIELDS = 3
const EMPTY = Buffer.alloc(0)
/** No single record is anywhere near this (PATH_MAX is 4096); more means the stream is not ours. */
const MAX_RECORD_BYTES = 1024 * 1024

/**
 * Incremental parser: feed it chunks in order, get complete records back. Memory is bounded by one
 * chunk plus one partial record.
 */
export class ListRecordParser {
  private pending: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): RawRecord[] {
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    const records: RawRecord[] = []
    let start = 0
    for (;;) {
      const ends: number[] = []
      let at = start
      while (ends.length < FIELDS) {
        const nul = data.indexOf(0, at)
        if (nul < 0) break
        ends.push(nul)
        at = nul + 1
      }
      if (ends.length < FIELDS) break
      records.push(parseRecord(data, start, ends))
      start = at
    }
    // Copy the tail so the big chunk it came from can be freed.
    this.pending = Buffer.from(data.subarray(start))
    if (this.pending.length > MAX_RECORD_BYTES) {
      throw new Error('The remote listing produced a record longer than 1 MiB')
    }
    return records
  }

  /** Call at the end of the stream; a partial record means the listing was cut short. */
  end(): void {
    if (this.pending.length > 0)
      throw new Error('The remote listing ended in the middle of a record')
  }
}

function parseRecord(data: Buffer, start: number, ends: number[]): RawRecord {
  const [e0, e1, e2] = ends as [number, number, number]
  const head = data.toString('latin1', start, e0).split(' ')
  if (head.length !== 12)
    throw new Error(`Malformed listing record: ${JSON.stringify(head.join(' '))}`)
  const [y, m, uid, gid, size, mtime, ctime, inode, dev, nlink, blocks, depth] = head as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  return {
    type: TYPES[y] ?? 'unknown',
    mode: parseInt(m, 8) & 0o7777,
    uid: toInt(uid),
    gid: toInt(gid),
    size: toInt(size),
    mtimeNs: parseTimestampNs(mtime),
    ctimeNs: parseTimestampNs(ctime),
    inode: BigInt(inode),
    dev: toInt(dev),
    nlink: toInt(nlink),
    blocks: toInt(blocks),
    depth: toInt(depth),
    linkTarget: y === 'l' ? Buffer.from(data.subarray(e0 + 1, e1)) : null,
    relPath: e2 === e1 + 1 ? EMPTY : Buffer.from(data.subarray(e1 + 1, e2)),
  }
}

function toInt(text: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n))
    throw new Error(`Malformed number in listing: ${JSON.stringify(text)}`)
  return n
}

/**
 * `find -printf %T@` prints the seconds (signed) and the nanoseconds (always positive) joined by a
 * dot, with ten fraction digits: "-315619200.5000000000" is tv_sec -315619200, tv_nsec 5e8.
 */
export function parseTimestampNs(text: string): bigint {
  const m = /^(-?\d+)(?:\.(\d+))?$/.exec(text)
  if (!m) throw new Error(`Malformed timestamp in listing: ${JSON.stringify(text)}`)
  const frac = (m[2] ?? '').padEnd(9, '0').slice(0, 9)
  return BigInt(m[1] as string) * 1_000_000_000n + BigInt(frac)
}
