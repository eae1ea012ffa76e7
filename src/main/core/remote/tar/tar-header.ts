/**
 * The tar format as GNU tar writes it with --format=posix (POSIX.1-2001 pax): 512-byte ustar
 * headers, pax extended headers ('x') whose records carry long or non-ASCII names as raw bytes,
 * exact sizes and nanosecond mtimes. Reading also accepts GNU long names ('L'/'K') and old GNU
 * headers so a busybox- or gnu-format archive parses too.
 *
 * Names stay Buffers from end to end: a name is bytes on Linux, and no decoding step may lose any.
 */

export const BLOCK = 512

export type TarEntryType =
  'file' | 'hardlink' | 'symlink' | 'char-device' | 'block-device' | 'dir' | 'fifo' | 'unknown'

/** The typeflag of a header before pax/GNU metadata records are applied. */
export type RawTypeflag = TarEntryType | 'pax' | 'pax-global' | 'gnu-longname' | 'gnu-longlink'

export interface UstarHeader {
  name: Buffer
  mode: number
  uid: number
  gid: number
  size: number
  mtimeSec: number
  typeflag: RawTypeflag
  linkname: Buffer
  uname: string
  gname: string
  devmajor: number
  devminor: number
}

const TYPEFLAGS: Record<string, RawTypeflag> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // contiguous file: a regular file everywhere that matters
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char-device',
  '4': 'block-device',
  '5': 'dir',
  '6': 'fifo',
  x: 'pax',
  g: 'pax-global',
  L: 'gnu-longname',
  K: 'gnu-longlink',
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false
  return true
}

/** Decodes one 512-byte header; throws on a checksum mismatch (the stream is not a tar stream). */
export function decodeHeader(block: Buffer): UstarHeader {
  const stored = readNumber(block, 148, 8)
  if (stored !== checksum(block) && stored !== signedChecksum(block)) {
    throw new Error('The tar stream is damaged: a header checksum does not match')
  }
  const magic = block.toString('latin1', 257, 263)
  const isUstar = magic === 'ustar\0'
  let name = cString(block, 0, 100)
  // Only POSIX ustar has a prefix field; old GNU headers use those bytes for other things.
  if (isUstar && block[345] !== 0)
    name = Buffer.concat([cString(block, 345, 155), Buffer.from('/'), name])
  const flag = String.fromCharCode(block[156] ?? 0)
  let typeflag: RawTypeflag = TYPEFLAGS[flag] ?? 'unknown'
  // Pre-POSIX (v7) archives mark directories with a trailing slash only.
  if (flag === '\0' && name.length > 0 && name[name.length - 1] === 0x2f) typeflag = 'dir'
  return {
    name,
    mode: readNumber(block, 100, 8) & 0o7777,
    uid: readNumber(block, 108, 8),
    gid: readNumber(block, 116, 8),
    size: readNumber(block, 124, 12),
    mtimeSec: readNumber(block, 136, 12),
    typeflag,
    linkname: cString(block, 157, 100),
    uname: cString(block, 265, 32).toString('utf8'),
    gname: cString(block, 297, 32).toString('utf8'),
    devmajor: readNumber(block, 329, 8),
    devminor: readNumber(block, 337, 8),
  }
}

function cString(block: Buffer, offset: number, length: number): Buffer {
  const end = block.indexOf(0, offset)
  const stop = end < 0 || end > offset + length ? offset + length : end
  return Buffer.from(block.subarray(offset, stop))
}

/** Octal (NUL/space padded) or GNU base-256 (high bit set) numeric field. */
function readNumber(block: Buffer, offset: number, length: number): number {
  const first = block[offset] ?? 0
  if (first & 0x80) {
    if (first === 0xff)
      throw new Error('The tar stream has a negative number where none is allowed')
    let value = first & 0x7f
    for (let i = 1; i < length; i++) value = value * 256 + (block[offset + i] ?? 0)
    return value
  }
  const text = block
    .toString('latin1', offset, offset + length)
    .replace(/[\0 ]+$/, '')
    .trim()
  if (text === '') return 0
  if (!/^[0-7]+$/.test(text))
    throw new Error(`The tar stream has a malformed number: ${JSON.stringify(text)}`)
  return parseInt(text, 8)
}

function checksum(block: Buffer): number {
  let sum = 8 * 0x20
  for (let i = 0; i < 148; i++) sum += block[i] ?? 0
  for (let i = 156; i < BLOCK; i++) sum += block[i] ?? 0
  return sum
}

function signedChecksum(block: Buffer): number {
  let sum = 8 * 0x20
  const signed = (b: number) => (b > 127 ? b - 256 : b)
  for (let i = 0; i < 148; i++) sum += signed(block[i] ?? 0)
  for (let i = 156; i < BLOCK; i++) sum += signed(block[i] ?? 0)
  return sum
}

/** Parses pax records ("<len> <key>=<value>\n"); values stay raw bytes. */
export function parsePaxRecords(data: Buffer): Map<string, Buffer> {
  const records = new Map<string, Buffer>()
  let at = 0
  while (at < data.length) {
    if (data[at] === 0) break // padding
    const space = data.indexOf(0x20, at)
    if (space < 0) throw new Error('The tar stream has a malformed pax record')
    const len = Number(data.toString('latin1', at, space))
    if (!Number.isSafeInteger(len) || len <= space - at + 1 || at + len > data.length) {
      throw new Error('The tar stream has a malformed pax record length')
    }
    const record = data.subarray(space + 1, at + len - 1) // without the trailing newline
    const eq = record.indexOf(0x3d)
    if (eq < 0 || data[at + len - 1] !== 0x0a)
      throw new Error('The tar stream has a malformed pax record')
    records.set(record.toString('utf8', 0, eq), Buffer.from(record.subarray(eq + 1)))
    at += len
  }
  return records
}

/** A pax time ("1700000000.123456789", possibly negative) as nanoseconds. */
export function parsePaxTime(value: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(value)
  if (!m) throw new Error(`The tar stream has a malformed time: ${JSON.stringify(value)}`)
  const ns =
    BigInt(m[2] as string) * 1_000_000_000n + BigInt((m[3] ?? '').padEnd(9, '0').slice(0, 9))
  return m[1] === '-' ? -ns : ns
}

export function formatPaxTime(ns: bigint): string {
  const negative = ns < 0n
  const abs = negative ? -ns : ns
  const sec = abs / 1_000_000_000n
  const frac = abs % 1_000_000_000n
  const fracText = frac === 0n ? '' : `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`
  return `${negative ? '-' : ''}${sec}${fracText}`
}

/** One pax record; its length prefix counts itself. */
export function paxRecord(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([
    Buffer.from(` ${key}=`, 'utf8'),
    Buffer.from(value),
    Buffer.from('\n'),
  ])
  let len = body.length + 1
  while (String(len).length + body.length !== len) len = String(len).length + body.length
  return Buffer.concat([Buffer.from(String(len), 'latin1'), body])
}

const TYPEFLAG_BYTES: Record<string, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  'char-device': '3',
  'block-device': '4',
  dir: '5',
  fifo: '6',
  pax: 'x',
}

/**
 * Encodes one ustar header. Fields that do not fit (long or non-ASCII names, big numbers) must be
 * carried by a pax header before it; here they are truncated or zeroed as POSIX recommends.
 */
export function encodeHeader(h: UstarHeader): Buffer {
  const block = Buffer.alloc(BLOCK)
  h.name.copy(block, 0, 0, Math.min(h.name.length, 100))
  writeOctal(block, 100, 8, h.mode & 0o7777)
  writeOctal(block, 108, 8, h.uid)
  writeOctal(block, 116, 8, h.gid)
  writeOctal(block, 124, 12, h.size)
  writeOctal(block, 136, 12, h.mtimeSec)
  block.write(TYPEFLAG_BYTES[h.typeflag] ?? '0', 156, 'latin1')
  h.linkname.copy(block, 157, 0, Math.min(h.linkname.length, 100))
  block.write('ustar\0', 257, 'latin1')
  block.write('00', 263, 'latin1')
  block.write(h.uname.slice(0, 31), 265, 'utf8')
  block.write(h.gname.slice(0, 31), 297, 'utf8')
  writeOctal(block, 329, 8, h.devmajor)
  writeOctal(block, 337, 8, h.devminor)
  block.fill(0x20, 148, 156)
  writeOctal(block, 148, 8, checksum(block))
  return block
}

/** Whether `value` fits an octal field of `length` bytes (digits plus a terminating NUL). */
export function fitsOctal(value: number, length: number): boolean {
  return value >= 0 && Number.isSafeInteger(value) && value < 8 ** (length - 1)
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  const v = fitsOctal(value, length) ? value : 0
  block.write(v.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'latin1')
}
