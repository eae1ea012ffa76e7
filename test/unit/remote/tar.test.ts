import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tarQuote, unescapeQuoted } from '../../../src/main/core/remote/gnu-quoting'
import { readTar, type TarEntry } from '../../../src/main/core/remote/tar/tar-reader'
import {
  encodeEntryHeader,
  END_OF_ARCHIVE,
  padding,
} from '../../../src/main/core/remote/tar/tar-writer'

// GNU tar is the other side of the wire in production, so these tests check the reader and writer
// against the real thing, not against themselves.

let dir: string
const b = (s: string | number[]) => (typeof s === 'string' ? Buffer.from(s) : Buffer.from(s))
const NAMES = [
  b('plain.txt'),
  b([0x66, 0xff, 0x6f]),
  b('new\nline'),
  b('colon: and \\ backslash'),
  b(`${'long-'.repeat(30)}.txt`),
  b('caf\u00e9 \u2603'),
]

function p(...parts: Buffer[]): Buffer {
  return Buffer.concat([b(dir), ...parts.flatMap((x) => [b('/'), x])])
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(tmpdir(), 'cairn-tar-'))
  NAMES.forEach((n, i) => fs.writeFileSync(p(n), Buffer.alloc(i * 1000 + 1, i)))
  fs.linkSync(p(NAMES[0] as Buffer), p(b('hard')))
  const fd = fs.openSync(p(b('sparse')), 'w')
  fs.writeSync(fd, b('data'), 0, 4, 1024 * 1024)
  fs.ftruncateSync(fd, 3 * 1024 * 1024)
  fs.closeSync(fd)
  fs.utimesSync(p(NAMES[0] as Buffer), 1_600_000_000.5, 1_600_000_000.5)
})

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function gnuTar(args: string[], files: Buffer[]): Buffer {
  const list = Buffer.concat(files.flatMap((f) => [f, Buffer.alloc(1)]))
  const r = spawnSync(
    'tar',
    [
      '-c',
      '-f',
      '-',
      '-P',
      '--no-recursion',
      ...args,
      '--null',
      '--verbatim-files-from',
      '-T',
      '-',
    ],
    {
      input: list,
      env: { LC_ALL: 'C' },
      maxBuffer: 1 << 30,
    },
  )
  return r.stdout
}

async function parse(archive: Buffer, step: number): Promise<{ entry: TarEntry; data: Buffer }[]> {
  async function* chunks() {
    for (let i = 0; i < archive.length; i += step) yield archive.subarray(i, i + step)
  }
  const out: { entry: TarEntry; data: Buffer }[] = []
  for await (const entry of readTar(chunks())) {
    const parts: Buffer[] = []
    for await (const c of entry.content) parts.push(Buffer.from(c))
    out.push({ entry, data: Buffer.concat(parts) })
  }
  return out
}

describe('readTar', () => {
  const files = () => [...NAMES.map((n) => p(n)), p(b('hard')), p(b('sparse'))]

  for (const [format, extra] of [
    [
      'posix',
      [
        '--format=posix',
        '--sparse',
        '--sparse-version=1.0',
        '--pax-option=delete=atime,delete=ctime',
      ],
    ],
    ['gnu', ['--format=gnu']],
  ] as const) {
    it(`reads GNU tar --format=${format} byte-exact at any chunking`, async () => {
      const archive = gnuTar([...extra], files())
      // Byte by byte only where the archive is small (gnu format carries the sparse file's zeros).
      const steps = archive.length < 200_000 ? [1, 511, 513, 65536] : [511, 513, 65536]
      for (const step of [...steps, archive.length]) {
        const got = await parse(archive, step)
        expect(got.map((g) => g.entry.header.path)).toEqual(files())
        NAMES.forEach((n, i) => {
          expect(got[i]?.data.equals(fs.readFileSync(p(n)))).toBe(true)
          expect(got[i]?.entry.header.size).toBe(i * 1000 + 1)
        })
        const hard = got[NAMES.length]
        expect(hard?.entry.header.type).toBe('hardlink')
        expect(hard?.entry.header.linkTarget).toEqual(p(NAMES[0] as Buffer))
        const sparse = got[NAMES.length + 1]
        // Buffer.equals: toEqual compares megabytes element by element, far too slowly.
        expect(sparse?.data.equals(fs.readFileSync(p(b('sparse'))))).toBe(true)
        expect(sparse?.entry.header.sparse).toBe(format === 'posix')
        if (format === 'posix')
          expect(got[0]?.entry.header.mtimeNs).toBe(1_600_000_000_500_000_000n)
      }
    })
  }

  it('skips content the consumer does not read', async () => {
    const archive = gnuTar(['--format=posix'], files())
    const names: Buffer[] = []
    async function* one() {
      yield archive
    }
    for await (const entry of readTar(one())) names.push(entry.header.path)
    expect(names).toEqual(files())
  })

  it('rejects a damaged header and a truncated stream', async () => {
    const archive = Buffer.from(gnuTar(['--format=posix'], [p(NAMES[0] as Buffer)]))
    const damaged = Buffer.from(archive)
    damaged[1100] = (damaged[1100] ?? 0) ^ 0xff
    await expect(parse(damaged, 4096)).rejects.toThrow(/checksum|malformed/)
    await expect(parse(archive.subarray(0, 1536 + 100), 4096)).rejects.toThrow(/ended/)
  })
})

describe('encodeEntryHeader', () => {
  it('writes archives GNU tar extracts byte for byte, with modes and nanosecond mtimes', () => {
    const out = fs.mkdtempSync(path.join(tmpdir(), 'cairn-tarx-'))
    try {
      const parts: Buffer[] = []
      const mtimeNs = 1_650_000_000_987_654_321n
      parts.push(
        encodeEntryHeader({
          path: b('d/'),
          type: 'dir',
          mode: 0o750,
          uid: 0,
          gid: 0,
          size: 0,
          mtimeNs,
        }),
      )
      NAMES.forEach((n, i) => {
        const data = Buffer.alloc(i * 700, 0x41 + i)
        parts.push(
          encodeEntryHeader({
            path: Buffer.concat([b('d/'), n]),
            type: 'file',
            mode: 0o640 + i,
            uid: 0,
            gid: 0,
            size: data.length,
            mtimeNs,
          }),
          data,
          padding(data.length),
        )
      })
      const longTarget = Buffer.concat([b('../'.repeat(40)), NAMES[1] as Buffer])
      parts.push(
        encodeEntryHeader({
          path: b('d/link'),
          type: 'symlink',
          mode: 0o777,
          uid: 0,
          gid: 0,
          size: 0,
          mtimeNs: -1_500_000_000n,
          linkTarget: longTarget,
        }),
      )
      parts.push(
        encodeEntryHeader({
          path: b('d/hard'),
          type: 'hardlink',
          mode: 0o640,
          uid: 0,
          gid: 0,
          size: 0,
          mtimeNs,
          linkTarget: b('d/plain.txt'),
        }),
      )
      parts.push(END_OF_ARCHIVE)
      execFileSync('tar', ['-x', '-f', '-', '-C', out], {
        input: Buffer.concat(parts),
        env: { LC_ALL: 'C' },
      })
      NAMES.forEach((n, i) => {
        const f = Buffer.concat([b(out), b('/d/'), n])
        expect(fs.readFileSync(f).equals(Buffer.alloc(i * 700, 0x41 + i))).toBe(true)
        const s = fs.statSync(f, { bigint: true })
        expect(Number(s.mode & 0o7777n)).toBe(0o640 + i)
        expect(s.mtimeNs).toBe(mtimeNs)
      })
      expect(fs.readlinkSync(path.join(out, 'd/link'), { encoding: 'buffer' })).toEqual(longTarget)
      expect(fs.lstatSync(path.join(out, 'd/link'), { bigint: true }).mtimeNs).toBe(-1_500_000_000n)
      expect(fs.statSync(path.join(out, 'd/hard')).ino).toBe(
        fs.statSync(path.join(out, 'd/plain.txt')).ino,
      )
      expect(Number(fs.statSync(path.join(out, 'd'), { bigint: true }).mode & 0o7777n)).toBe(0o750)
    } finally {
      fs.rmSync(out, { recursive: true, force: true })
    }
  })

  it('reads back what it writes', async () => {
    const h = encodeEntryHeader({
      path: Buffer.concat([b('x/'.repeat(80)), NAMES[1] as Buffer]),
      type: 'file',
      mode: 0o4755,
      uid: 3_000_000,
      gid: 5,
      uname: 'd\u00e9v',
      gname: 'g',
      size: 3,
      mtimeNs: 5n,
    })
    const [got] = await parse(Buffer.concat([h, b('abc'), padding(3), END_OF_ARCHIVE]), 100)
    expect(got?.entry.header).toMatchObject({
      path: Buffer.concat([b('x/'.repeat(80)), NAMES[1] as Buffer]),
      mode: 0o4755,
      uid: 3_000_000,
      uname: 'd\u00e9v',
      mtimeNs: 5n,
      size: 3,
    })
    expect(got?.data.toString()).toBe('abc')
  })
})

describe('GNU quoting', () => {
  it('quotes names exactly as GNU tar does in its diagnostics, and unquotes them back', () => {
    const missing = [
      b('/nonexistent/a:b c\\d'),
      b([0x2f, 0x78, 0x09, 0x0a, 0x7f, 0x01, 0xff, 0x27, 0x22]),
    ]
    const r = spawnSync(
      'tar',
      [
        '-c',
        '-f',
        '/dev/null',
        '-P',
        '--no-recursion',
        '--quoting-style=escape',
        '--null',
        '--verbatim-files-from',
        '-T',
        '-',
      ],
      {
        input: Buffer.concat(missing.flatMap((m) => [m, Buffer.alloc(1)])),
        env: { LC_ALL: 'C' },
      },
    )
    const lines = r.stderr.toString().split('\n')
    for (const m of missing) {
      expect(lines).toContain(`tar: ${tarQuote(m)}: Cannot stat: No such file or directory`)
      expect(unescapeQuoted(tarQuote(m))).toEqual(m)
    }
  })
})
