import { ByteSource } from './byte-source'
import {
  BLOCK,
  decodeHeader,
  isZeroBlock,
  parsePaxRecords,
  parsePaxTime,
  type TarEntryType,
} from './tar-header'

export interface TarEntryHeader {
  /** The member name, raw bytes (pax `path`, GNU long name or ustar prefix + name). */
  path: Buffer
  type: TarEntryType
  /** Permission bits including setuid, setgid and sticky. */
  mode: number
  uid: number
  gid: number
  uname: string
  gname: string
  /** Logical size of the content in bytes (for a sparse file: with its holes). */
  size: number
  mtimeNs: bigint
  /** Target of a symlink or hard link, raw bytes; null for other types. */
  linkTarget: Buffer | null
  devmajor: number
  devminor: number
  /** The content arrived as a GNU sparse 1.0 map plus data: holes were not transferred. */
  sparse: boolean
  /** Every pax record that applied to this entry, values raw. */
  pax: ReadonlyMap<string, Buffer>
}

export interface TarEntry {
  header: TarEntryHeader
  /**
   * The content, streamed from the wire (holes of sparse files filled with zeros). Consume it, or
   * abandon it, before asking for the next entry; the rest is skipped then. Chunks may share
   * memory with the incoming stream: copy them if they must outlive the next read.
   */
  content: AsyncIterable<Buffer>
}

const MAX_META_BYTES = 16 * 1024 * 1024
const MAX_READ = 1024 * 1024

/**
 * Streams entries out of a tar archive (as written by GNU tar --format=posix, or gnu/ustar),
 * one at a time with backpressure: nothing is read before the consumer asks for it.
 */
export async function* readTar(
  chunks: AsyncIterable<Buffer>,
): AsyncGenerator<TarEntry, void, undefined> {
  const src = new ByteSource(chunks)
  let globalPax = new Map<string, Buffer>()
  let pax: Map<string, Buffer> | null = null
  let longName: Buffer | null = null
  let longLink: Buffer | null = null
  try {
    for (;;) {
      const block = await src.readExact(BLOCK)
      if (block === null) throw new Error('The tar stream ended before its end marker')
      if (isZeroBlock(block)) {
        await src.drain()
        return
      }
      const raw = decodeHeader(block)
      const padding = (BLOCK - (raw.size % BLOCK)) % BLOCK
      if (
        raw.typeflag === 'pax' ||
        raw.typeflag === 'pax-global' ||
        raw.typeflag === 'gnu-longname' ||
        raw.typeflag === 'gnu-longlink'
      ) {
        if (raw.size > MAX_META_BYTES)
          throw new Error('The tar stream has an oversized metadata header')
        const data = (await src.readExact(raw.size)) ?? Buffer.alloc(0)
        await src.skip(padding)
        if (raw.typeflag === 'pax') pax = new Map([...(pax ?? []), ...parsePaxRecords(data)])
        else if (raw.typeflag === 'pax-global')
          globalPax = new Map([...globalPax, ...parsePaxRecords(data)])
        else if (raw.typeflag === 'gnu-longname') longName = trimNuls(data)
        else longLink = trimNuls(data)
        continue
      }

      const records = new Map([...globalPax, ...(pax ?? [])])
      pax = null
      const text = (key: string) => records.get(key)?.toString('utf8')
      const sparseMajor = text('GNU.sparse.major')
      const sparse = sparseMajor !== undefined
      if (sparse && (sparseMajor !== '1' || text('GNU.sparse.minor') !== '0')) {
        throw new Error(`Unsupported GNU sparse format ${sparseMajor}.${text('GNU.sparse.minor')}`)
      }
      const wireSize = records.has('size') ? Number(text('size')) : raw.size
      const size = sparse
        ? Number(text('GNU.sparse.realsize') ?? text('GNU.sparse.size'))
        : wireSize
      if (!Number.isSafeInteger(wireSize) || !Number.isSafeInteger(size)) {
        throw new Error('The tar stream has a malformed size')
      }
      const type = raw.typeflag as TarEntryType
      const named =
        (sparse ? records.get('GNU.sparse.name') : undefined) ??
        records.get('path') ??
        longName ??
        raw.name
      // Directories are written as "name/": the entry is the name.
      const path = type === 'dir' ? trimSlashes(named) : named
      const link = records.get('linkpath') ?? longLink ?? raw.linkname
      longName = null
      longLink = null
      const mtime = text('mtime')
      const header: TarEntryHeader = {
        path,
        type,
        mode: raw.mode,
        uid: records.has('uid') ? Number(text('uid')) : raw.uid,
        gid: records.has('gid') ? Number(text('gid')) : raw.gid,
        uname: text('uname') ?? raw.uname,
        gname: text('gname') ?? raw.gname,
        size: type === 'file' ? size : 0,
        mtimeNs: mtime !== undefined ? parsePaxTime(mtime) : BigInt(raw.mtimeSec) * 1_000_000_000n,
        linkTarget: type === 'symlink' || type === 'hardlink' ? link : null,
        devmajor: raw.devmajor,
        devminor: raw.devminor,
        sparse,
        pax: records,
      }

      // Hard links, dirs, symlinks carry no data, whatever their size field says.
      const body = { left: type === 'file' ? wireSize : 0, active: true }
      yield { header, content: sparse ? sparseContent(src, body, size) : plainContent(src, body) }
      body.active = false
      // Skip what the consumer did not read, then the block padding.
      const unread = type === 'file' ? body.left : wireSize
      body.left = 0
      await src.skip(unread + ((BLOCK - (wireSize % BLOCK)) % BLOCK))
    }
  } finally {
    await src.return()
  }
}

interface BodyState {
  left: number
  active: boolean
}

async function* plainContent(src: ByteSource, body: BodyState): AsyncGenerator<Buffer> {
  while (body.left > 0) {
    if (!body.active) throw new Error('Read a tar entry after moving to the next one')
    const chunk = await src.readSome(Math.min(body.left, MAX_READ))
    if (chunk === null) throw new Error('The tar stream ended in the middle of a file')
    body.left -= chunk.length
    yield chunk
  }
}

async function readBody(src: ByteSource, body: BodyState, n: number): Promise<Buffer> {
  if (n > body.left) throw new Error('The tar stream has a sparse map larger than its entry')
  const data = await src.readExact(n)
  if (data === null) throw new Error('The tar stream ended in the middle of a file')
  body.left -= n
  return data
}

/**
 * GNU sparse 1.0: the entry's data starts with the map ("count\n" then "offset\nsize\n" pairs, in
 * decimal, padded to a block), followed by the data regions back to back.
 */
async function* sparseContent(
  src: ByteSource,
  body: BodyState,
  realSize: number,
): AsyncGenerator<Buffer> {
  const numbers: number[] = []
  let text = ''
  let needed = 1
  while (numbers.length < needed) {
    const block = await readBody(src, body, BLOCK)
    text += block.toString('latin1')
    let nl = text.indexOf('\n')
    while (nl >= 0 && numbers.length < needed) {
      const n = Number(text.slice(0, nl))
      if (!Number.isSafeInteger(n) || n < 0)
        throw new Error('The tar stream has a malformed sparse map')
      numbers.push(n)
      if (numbers.length === 1) needed = 1 + 2 * n
      text = text.slice(nl + 1)
      nl = text.indexOf('\n')
    }
    if (numbers.length < needed && text.length > 64) {
      throw new Error('The tar stream has a malformed sparse map')
    }
  }
  let pos = 0
  for (let i = 1; i < numbers.length; i += 2) {
    const offset = numbers[i] as number
    let length = numbers[i + 1] as number
    if (offset < pos || offset + length > realSize)
      throw new Error('The tar stream has a malformed sparse map')
    yield* zeros(offset - pos)
    pos = offset
    while (length > 0) {
      if (!body.active) throw new Error('Read a tar entry after moving to the next one')
      const chunk = await src.readSome(Math.min(length, body.left, MAX_READ))
      if (chunk === null || chunk.length === 0)
        throw new Error('The tar stream ended in the middle of a file')
      body.left -= chunk.length
      length -= chunk.length
      pos += chunk.length
      yield chunk
    }
  }
  yield* zeros(realSize - pos)
}

function* zeros(n: number): Generator<Buffer> {
  let left = n
  while (left > 0) {
    const size = Math.min(left, MAX_READ)
    left -= size
    yield Buffer.alloc(size)
  }
}

function trimSlashes(name: Buffer): Buffer {
  let end = name.length
  while (end > 1 && name[end - 1] === 0x2f) end--
  return end === name.length ? name : name.subarray(0, end)
}

function trimNuls(data: Buffer): Buffer {
  let end = data.length
  while (end > 0 && data[end - 1] === 0) end--
  return Buffer.from(data.subarray(0, end))
}
