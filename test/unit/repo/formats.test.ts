import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ByteReader, FormatError } from '../../../src/main/core/repo/binary/byte-reader'
import { ByteWriter } from '../../../src/main/core/repo/binary/byte-writer'
import { KDF_INFO } from '../../../src/main/core/repo/crypto/kdf'
import { openFile, sealFile, SealedFileError } from '../../../src/main/core/repo/crypto/sealed-file'
import { decodeIndexFile, encodeIndexFile } from '../../../src/main/core/repo/index/index-file'
import { MemoryIndex } from '../../../src/main/core/repo/index/memory-index'
import {
  decodePackHeader,
  decodeTrailer,
  encodePackHeader,
  encodeTrailer,
} from '../../../src/main/core/repo/pack/pack-format'
import {
  decodeTree,
  encodeTree,
  TreeFormatError,
} from '../../../src/main/core/repo/tree/tree-codec'
import type { TreeEntry } from '../../../src/main/core/repo/tree/tree-entry'
import { displayName } from '../../../src/main/core/repo/util/display-path'

const id = () => randomBytes(32).toString('hex')
const base = { mode: 0o644, uid: 0, gid: 0, mtimeSec: 0, mtimeNsec: 0, size: 0 }

describe('binary encoding', () => {
  it('round-trips varints up to 2^53 - 1, negative numbers included', () => {
    const values = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, 2 ** 52 - 1]
    const writer = new ByteWriter(1)
    for (const v of values) writer.uvarint(v).svarint(v).svarint(-v)
    writer.uvarint(Number.MAX_SAFE_INTEGER)
    const reader = new ByteReader(writer.finish())
    for (const v of values) {
      expect(reader.uvarint()).toBe(v)
      expect(reader.svarint()).toBe(v)
      expect(reader.svarint()).toBe(v === 0 ? 0 : -v)
    }
    expect(reader.uvarint()).toBe(Number.MAX_SAFE_INTEGER)
    reader.expectEnd()
    expect(() => new ByteWriter().svarint(2 ** 52)).toThrow(RangeError)
    expect(() => new ByteReader(Buffer.from([0x80, 0x00])).uvarint()).toThrow(FormatError)
    expect(() => new ByteReader(Buffer.from([0x80])).uvarint()).toThrow(FormatError)
  })
})

describe('tree format', () => {
  const entries: TreeEntry[] = [
    {
      ...base,
      name: Buffer.from([0x0a]),
      type: 'file',
      size: 3,
      content: [id(), id()],
      changedWhileReading: true,
    },
    {
      ...base,
      name: Buffer.from('A b'),
      type: 'dir',
      mode: 0o1777,
      subtree: id(),
      uname: 'root',
      gname: 'wheel',
    },
    { ...base, name: Buffer.from('dev'), type: 'chardev', deviceMajor: 1, deviceMinor: 3 },
    { ...base, name: Buffer.from('fifo'), type: 'fifo' },
    {
      ...base,
      name: Buffer.from('hard'),
      type: 'file',
      size: 10,
      content: [],
      linkGroup: Buffer.from('2049:123456'),
      sparse: true,
      mtimeSec: -86_400,
      mtimeNsec: 999_999_999,
      uid: 2 ** 40,
      xattrs: [
        { name: Buffer.from('user.b'), value: Buffer.from([0, 1, 2]) },
        { name: Buffer.from('user.a'), value: Buffer.alloc(0) },
      ],
    },
    {
      ...base,
      name: Buffer.from('link'),
      type: 'symlink',
      mode: 0o777,
      target: Buffer.from([0xff, 0x2f, 0x0a]),
      size: 3,
    },
    { ...base, name: Buffer.from([0xc3, 0x28]), type: 'socket' },
  ]

  it('round-trips every entry type and field', () => {
    const decoded = decodeTree(encodeTree(entries))
    const expected = entries.map((e) =>
      e.xattrs ? { ...e, xattrs: [...e.xattrs].sort((a, b) => Buffer.compare(a.name, b.name)) } : e,
    )
    expect(decoded.map((e) => ({ ...e }))).toEqual(
      expected.map((e) => ({
        ...e,
        name: Buffer.from(e.name),
        ...(e.target ? { target: Buffer.from(e.target) } : {}),
      })),
    )
  })

  it('is deterministic and refuses unsorted, duplicate and unsafe names', () => {
    expect(encodeTree(entries).equals(encodeTree(entries.map((e) => ({ ...e }))))).toBe(true)
    expect(() => encodeTree([entries[1]!, entries[0]!])).toThrow(TreeFormatError)
    expect(() => encodeTree([entries[0]!, entries[0]!])).toThrow(TreeFormatError)
    for (const name of ['', '.', '..', 'a/b', 'nul\0']) {
      expect(() => encodeTree([{ ...base, name: Buffer.from(name), type: 'fifo' }])).toThrow(
        TreeFormatError,
      )
    }
  })

  it('refuses trailing bytes, unknown flags and unknown types', () => {
    const bytes = encodeTree([entries[3]!])
    expect(() => decodeTree(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(TreeFormatError)
    const badType = Buffer.from(bytes)
    badType[2 + 1 + 4] = 99
    expect(() => decodeTree(badType)).toThrow(TreeFormatError)
  })

  it('shows names readably in reports', () => {
    expect(displayName(Buffer.from('ümlaut'))).toBe('ümlaut')
    expect(displayName(Buffer.from('new\nline'))).toBe('new\\x0aline')
    expect(displayName(Buffer.from([0x66, 0xff]))).toBe('f\\xff')
    expect(displayName(Buffer.from('a\\b'))).toBe('a\\\\b')
  })
})

describe('pack, index and sealed file formats', () => {
  it('round-trips a pack trailer and header and checks that blobs tile the pack', () => {
    const trailer = {
      salt: randomBytes(32),
      keyVersion: 3,
      headerLength: 1234,
      type: 'tree' as const,
    }
    expect(decodeTrailer(encodeTrailer(trailer))).toEqual(trailer)
    const blobs = [
      { type: 'tree' as const, id: id(), offset: 0, length: 100, rawLength: 500 },
      { type: 'tree' as const, id: id(), offset: 100, length: 50, rawLength: 21 },
    ]
    expect(decodePackHeader(encodePackHeader(blobs), 150)).toEqual(blobs)
    expect(() => decodePackHeader(encodePackHeader(blobs), 151)).toThrow(FormatError)
    expect(() => decodePackHeader(encodePackHeader([blobs[1]!]), 50)).toThrow(FormatError)
  })

  it('round-trips an index file', () => {
    const content = {
      supersedes: [id()],
      packs: [
        {
          id: id(),
          type: 'data' as const,
          keyVersion: 1,
          salt: randomBytes(32),
          length: 10_000,
          blobs: [{ type: 'data' as const, id: id(), offset: 0, length: 9000, rawLength: 20_000 }],
        },
      ],
    }
    expect(decodeIndexFile(encodeIndexFile(content))).toEqual(content)
  })

  it('seals and opens files, and refuses another kind or key', async () => {
    const key = randomBytes(32)
    const body = Buffer.from('{"hello":"world"}'.repeat(50))
    const sealed = await sealFile('snapshot', 2, key, KDF_INFO.workspaceFile, body)
    expect((await openFile(sealed, 'snapshot', key, KDF_INFO.workspaceFile)).equals(body)).toBe(
      true,
    )
    await expect(openFile(sealed, 'index', key, KDF_INFO.workspaceFile)).rejects.toThrow(
      SealedFileError,
    )
    await expect(
      openFile(sealed, 'snapshot', randomBytes(32), KDF_INFO.workspaceFile),
    ).rejects.toThrow(SealedFileError)
    await expect(openFile(sealed, 'snapshot', key, KDF_INFO.masterFile)).rejects.toThrow(
      SealedFileError,
    )
  })

  it('keeps 100k blobs compact in memory and finds every one', () => {
    const index = new MemoryIndex()
    const ids: string[] = []
    const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers
    for (let p = 0; p < 100; p++) {
      const blobs = Array.from({ length: 1000 }, (_, i) => {
        const blobId = id()
        ids.push(blobId)
        return { type: 'data' as const, id: blobId, offset: i * 100, length: 100, rawLength: 200 }
      })
      index.addPack({
        id: id(),
        type: 'data',
        keyVersion: 1,
        salt: randomBytes(32),
        length: 100_000,
        blobs,
      })
    }
    const growth = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heapBefore
    expect(index.blobCount).toBe(100_000)
    for (const blobId of ids.slice(0, 5000)) expect(index.lookup(blobId)?.id).toBe(blobId)
    expect(index.has(id())).toBe(false)
    // The ids list itself (~13 MB of strings) dominates; the index's own arrays are ~6 MB.
    expect(growth).toBeLessThan(40 * 1024 * 1024)
  })
})
