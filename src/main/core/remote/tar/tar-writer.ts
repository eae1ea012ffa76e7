import {
  BLOCK,
  encodeHeader,
  fitsOctal,
  formatPaxTime,
  paxRecord,
  type TarEntryType,
} from './tar-header'

export interface TarWriteHeader {
  /** Member name, raw bytes, relative (no leading '/'); directories may end with '/'. */
  path: Buffer
  type: Exclude<TarEntryType, 'unknown' | 'char-device' | 'block-device'>
  mode: number
  uid: number
  gid: number
  uname?: string | null
  gname?: string | null
  size: number
  mtimeNs: bigint
  linkTarget?: Buffer | null
}

const ASCII_PRINTABLE = /^[\x20-\x7e]*$/

/**
 * The header blocks for one entry in POSIX pax format: a pax extended header whenever a field does
 * not fit ustar exactly (long or non-ASCII names, nanosecond mtimes, sizes over 8 GiB, big ids),
 * then the ustar header. Names go into pax records as raw bytes, exactly as GNU tar --format=posix
 * writes them itself in the C locale; GNU tar -x recreates them byte for byte. (POSIX would mark
 * non-UTF-8 names with hdrcharset=BINARY, but GNU tar 1.34 does not know that keyword and warns.)
 */
export function encodeEntryHeader(h: TarWriteHeader): Buffer {
  const records: Buffer[] = []
  const needsPaxName = (name: Buffer, max: number) =>
    name.length > max || !ASCII_PRINTABLE.test(name.toString('latin1'))
  if (needsPaxName(h.path, 100)) {
    records.push(paxRecord('path', h.path))
  }
  const link = h.linkTarget ?? Buffer.alloc(0)
  if (needsPaxName(link, 100)) {
    records.push(paxRecord('linkpath', link))
  }
  if (!fitsOctal(h.size, 12)) records.push(paxRecord('size', String(h.size)))
  if (!fitsOctal(h.uid, 8)) records.push(paxRecord('uid', String(h.uid)))
  if (!fitsOctal(h.gid, 8)) records.push(paxRecord('gid', String(h.gid)))
  const uname = h.uname ?? ''
  const gname = h.gname ?? ''
  if (uname.length > 31 || !ASCII_PRINTABLE.test(uname)) records.push(paxRecord('uname', uname))
  if (gname.length > 31 || !ASCII_PRINTABLE.test(gname)) records.push(paxRecord('gname', gname))
  const mtimeSec = h.mtimeNs / 1_000_000_000n
  const wholeSecond = h.mtimeNs % 1_000_000_000n === 0n
  if (!wholeSecond || h.mtimeNs < 0n || !fitsOctal(Number(mtimeSec), 12)) {
    records.push(paxRecord('mtime', formatPaxTime(h.mtimeNs)))
  }

  const ustar = encodeHeader({
    name: h.path.length <= 100 ? h.path : ustarPlaceholder(h.path, h.type === 'dir'),
    mode: h.mode,
    uid: h.uid,
    gid: h.gid,
    size: h.type === 'file' ? h.size : 0,
    mtimeSec: h.mtimeNs >= 0n ? Number(mtimeSec) : 0,
    typeflag: h.type,
    linkname: link.length <= 100 ? link : link.subarray(0, 100),
    uname: ASCII_PRINTABLE.test(uname) ? uname : '',
    gname: ASCII_PRINTABLE.test(gname) ? gname : '',
    devmajor: 0,
    devminor: 0,
  })
  if (records.length === 0) return ustar
  const data = Buffer.concat(records)
  const paxHeader = encodeHeader({
    name: Buffer.from('PaxHeaders/entry'),
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: data.length,
    mtimeSec: 0,
    typeflag: 'pax',
    linkname: Buffer.alloc(0),
    uname: '',
    gname: '',
    devmajor: 0,
    devminor: 0,
  })
  return Buffer.concat([paxHeader, data, padding(data.length), ustar])
}

export function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK)
}

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK)

/** The ustar name of an entry whose real name is in the pax header: a prefix that keeps the type. */
function ustarPlaceholder(path: Buffer, isDir: boolean): Buffer {
  const cut = Buffer.from(path.subarray(0, 99))
  if (!isDir && cut[cut.length - 1] === 0x2f) cut[cut.length - 1] = 0x5f
  return isDir ? Buffer.concat([cut, Buffer.from('/')]) : cut
}
