import { describe, expect, it } from 'vitest'
import { inPackOrder, type PlannedEntry } from '../../../src/main/core/backup/restore-plan'
import type { SnapshotReader } from '../../../src/main/core/repo'

/** Blob ids name their place: "pack:offset". "missing" is not in the index. */
const reader = {
  locate(id: string) {
    if (id === 'missing') throw new Error('not in the index')
    const [pack, offset] = id.split(':')
    return { pack: { id: pack }, offset: Number(offset) }
  },
} as unknown as SnapshotReader

function entry(path: string, type: PlannedEntry['type'], blobs: string[] = []): PlannedEntry {
  return {
    path: Buffer.from(path),
    type,
    mode: 0o644,
    uid: 0,
    gid: 0,
    mtimeNs: 0n,
    size: blobs.length * 100,
    blobs,
    sparse: false,
    ...(type === 'hardlink' ? { linkTarget: Buffer.from('a/two') } : {}),
  }
}

async function order(entries: PlannedEntry[]): Promise<string[]> {
  const out: string[] = []
  async function* source() {
    yield* entries
  }
  for await (const e of inPackOrder(reader, source())) out.push(e.path.toString())
  return out
}

describe('restore order: files by their place in the packs', () => {
  it('moves files only later, after their window’s other entries, sorted by pack and offset', async () => {
    const got = await order([
      entry('', 'dir'),
      entry('a', 'dir'),
      entry('a/one', 'file', ['p2:0']),
      entry('a/two', 'file', ['p1:500', 'p2:100']),
      entry('a/empty', 'file'),
      entry('a/link', 'hardlink'),
      entry('a/sym', 'symlink'),
      entry('b', 'dir'),
      entry('b/three', 'file', ['p1:100']),
      entry('b/lost', 'file', ['missing']),
      entry('b/four', 'file', ['p2:50']),
    ])
    expect(got).toEqual([
      // Nothing pending yet: passed through as planned.
      '',
      'a',
      // The window's other entries, in plan order (each folder before anything in it).
      'a/empty',
      'a/sym',
      'b',
      // Files by (pack, offset); a blob the index lacks sorts last (its read reports it).
      'b/three',
      'a/two',
      'a/one',
      'b/four',
      'b/lost',
      // Hard links after the files they may point to.
      'a/link',
    ])
  })

  it('keeps every file after its folder and loses nothing across many windows', async () => {
    const entries: PlannedEntry[] = [entry('', 'dir')]
    for (let d = 0; d < 30; d++) {
      entries.push(entry(`d${d}`, 'dir'))
      for (let f = 0; f < 400; f++)
        entries.push(entry(`d${d}/f${f}`, 'file', [`p${(f * 7 + d) % 13}:${(f * 31) % 997}`]))
    }
    const got = await order(entries)
    expect([...got].sort()).toEqual(entries.map((e) => e.path.toString()).sort())
    const seen = new Set<string>()
    for (const path of got) {
      const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : ''
      if (path !== '') expect(seen.has(parent), `${path} before its folder`).toBe(true)
      seen.add(path)
    }
    // Windows are bounded (4096 files): the first window's files all come before d20's folder
    // is reached in plan order, so reordering never holds the whole restore.
    expect(got.indexOf('d0/f0')).toBeLessThan(got.indexOf('d20'))
  })
})
