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

const SPACE = 0x20
const HEAD_FIELDS = 12

/**
 * Parses the head fields straight from the bytes (no string, split or regular expression per
 * record): the listing of a large workspace is tens of thousands of records, and parsing was a
 * visible share of an unchanged backup's time.
 */
function parseRecord(data: Buffer, start: number, ends: number[]): RawRecord {
  const [e0, e1, e2] = ends as [number, number, number]
  const bounds = new Int32Array(HEAD_FIELDS + 1)
  let fields = 0
  bounds[0] = start
  for (let at = start; at < e0; at++) {
    if (data[at] !== SPACE) continue
    if (++fields >= HEAD_FIELDS) break
    bounds[fields] = at + 1
  }
  const malformed = () =>
    new Error(`Malformed listing record: ${JSON.stringify(data.toString('latin1', start, e0))}`)
  if (fields !== HEAD_FIELDS - 1) throw malformed()
  bounds[HEAD_FIELDS] = e0 + 1
  const from = (i: number) => bounds[i]!
  const to = (i: number) => bounds[i + 1]! - 1
  const int = (i: number) => {
    const n = digits(data, from(i), to(i), 10)
    if (n < 0) throw malformed()
    return n
  }
  const typeChar = to(0) - from(0) === 1 ? String.fromCharCode(data[from(0)]!) : ''
  const mode = digits(data, from(1), to(1), 8)
  if (mode < 0) throw malformed()
  const inode = digits(data, from(7), to(7), 10)
  return {
    type: TYPES[typeChar] ?? 'unknown',
    mode: mode & 0o7777,
    uid: int(2),
    gid: int(3),
    size: int(4),
    mtimeNs: timestampNs(data, from(5), to(5)) ?? throwError(malformed()),
    ctimeNs: timestampNs(data, from(6), to(6)) ?? throwError(malformed()),
    // Inode numbers may exceed 2^53 (parsed exactly as a BigInt then).
    inode:
      inode >= 0 ? BigInt(inode) : (bigDigits(data, from(7), to(7)) ?? throwError(malformed())),
    dev: int(8),
    nlink: int(9),
    blocks: int(10),
    depth: int(11),
    linkTarget: typeChar === 'l' ? Buffer.from(data.subarray(e0 + 1, e1)) : null,
    relPath: e2 === e1 + 1 ? EMPTY : Buffer.from(data.subarray(e1 + 1, e2)),
  }
}

function throwError(error: Error): never {
  throw error
}

/** Unsigned digits in `base` (8 or 10) from start to end; -1 if empty, not digits or unsafe. */
function digits(data: Buffer, start: number, end: number, base: number): number {
  if (end <= start || end - start > 16) return -1
  let n = 0
  for (let at = start; at < end; at++) {
    const d = data[at]! - 0x30
    if (d < 0 || d >= base) return -1
    n = n * base + d
  }
  return Number.isSafeInteger(n) ? n : -1
}

function bigDigits(data: Buffer, start: number, end: number): bigint | null {
  if (end <= start) return null
  for (let at = start; at < end; at++) if (data[at]! < 0x30 || data[at]! > 0x39) return null
  return BigInt(data.toString('latin1', start, end))
}

const NS_PER_SEC = 1_000_000_000n

/** `parseTimestampNs` on bytes; null if malformed. */
function timestampNs(data: Buffer, start: number, end: number): bigint | null {
  const negative = data[start] === 0x2d
  let at = negative ? start + 1 : start
  const dot = data.indexOf(0x2e, at)
  const secEnd = dot < 0 || dot >= end ? end : dot
  const sec = digits(data, at, secEnd, 10)
  if (sec < 0) return null
  let nsec = 0
  if (secEnd < end) {
    at = secEnd + 1
    if (at >= end) return null
    let scale = 100_000_000
    for (; at < end; at++) {
      const d = data[at]! - 0x30
      if (d < 0 || d > 9) return null
      nsec += d * scale
      scale = Math.floor(scale / 10)
    }
  }
  return BigInt(negative ? -sec : sec) * NS_PER_SEC + BigInt(nsec)
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
