import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { localSource, runBackup } from '../../../src/main/core/backup'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import {
  initRepository,
  openWorkspace,
  SnapshotReader,
  SnapshotWriter,
  type Workspace,
} from '../../../src/main/core/repo'
import { FolderStore } from '../../../src/main/core/storage/folder-store'
import { setTimes } from '../../support/backup-trees'

// An unchanged folder keeps the parent restore point's tree id instead of encoding and hashing
// its tree again. These tests check that it happens exactly where nothing changed, and that the
// result is the same restore point tree (same root id: ids are keyed hashes of the tree bytes,
// so every tree below is byte-identical) as writing every tree.

let base: string
beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-tree-reuse-'))
})
afterAll(() => fs.rmSync(base, { recursive: true, force: true }))
afterEach(() => vi.restoreAllMocks())

let counter = 0
async function freshWorkspace(): Promise<Workspace> {
  const dir = path.join(base, `repo-${counter++}`)
  fs.mkdirSync(dir)
  const repo = await initRepository(new FolderStore(dir), generateMasterKey())
  return openWorkspace(repo, 'ws', { create: true })
}

/** src/{a/{a1/f.txt, a2/g.txt}, b/h.txt, b/link -> h.txt, c/ (empty), top.txt}: 6 folders. */
function buildSource(): string {
  const src = path.join(base, `src-${counter++}`)
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(src, rel)), { recursive: true })
    fs.writeFileSync(path.join(src, rel), text)
  }
  write('a/a1/f.txt', 'f content\n')
  write('a/a2/g.txt', 'g content\n')
  write('b/h.txt', 'h content\n')
  write('top.txt', 'top\n')
  fs.symlinkSync('h.txt', path.join(src, 'b/link'))
  fs.mkdirSync(path.join(src, 'c'))
  // Fixed folder mtimes, set after their content, so only what a case changes differs.
  for (const dir of ['a/a1', 'a/a2', 'a', 'b', 'c', '.']) {
    const p = path.join(src, dir)
    fs.utimesSync(p, 1_600_000_000, 1_600_000_000)
  }
  return src
}

/** Runs a backup and counts the folders whose tree was kept and written. */
async function backup(
  workspace: Workspace,
  src: string,
  options: { parent?: string; reuse?: boolean } = {},
) {
  const reuse = vi.spyOn(SnapshotWriter.prototype, 'reuseTree')
  const write = vi.spyOn(SnapshotWriter.prototype, 'writeTree')
  const result = await runBackup({
    workspace,
    source: localSource(),
    paths: [src],
    trigger: 'manual',
    ...(options.parent ? { parent: options.parent } : {}),
    ...(options.reuse === false ? { reuseUnchangedTrees: false } : {}),
  })
  const reused = reuse.mock.results.filter((r) => r.value === true).length
  const written = write.mock.calls.length
  reuse.mockRestore()
  write.mockRestore()
  return { result, reused, written }
}

/** Keeps a folder's mtime while its content changes (so only the change itself is seen). */
function keepingMtime(dir: string, change: () => void): void {
  const { mtimeNs } = fs.statSync(dir, { bigint: true })
  change()
  setTimes([{ path: Buffer.from(dir), ns: mtimeNs }])
}

describe('unchanged folders keep the parent tree id', () => {
  it('reuses every folder of an unchanged backup; same tree, same stats', async () => {
    const workspace = await freshWorkspace()
    const src = buildSource()
    const first = await backup(workspace, src)
    expect(first.reused).toBe(0)
    expect(first.written).toBe(7) // 6 folders and the root tree
    const same = await backup(workspace, src)
    expect(same.reused).toBe(6)
    expect(same.written).toBe(1) // only the root tree (the backed-up paths)
    expect(same.result.snapshot.snapshot.tree).toBe(first.result.snapshot.snapshot.tree)
    const s1 = first.result.snapshot.snapshot.stats
    const s2 = same.result.snapshot.snapshot.stats
    expect([s2.files, s2.dirs, s2.symlinks, s2.bytes]).toEqual([
      s1.files,
      s1.dirs,
      s1.symlinks,
      s1.bytes,
    ])
    expect([s2.files, s2.dirs, s2.symlinks]).toEqual([4, 6, 1])
    const off = await backup(workspace, src, { reuse: false })
    expect(off.reused).toBe(0)
    expect(off.written).toBe(7)
    expect(off.result.snapshot.snapshot.tree).toBe(first.result.snapshot.snapshot.tree)
  })

  it('keeps a folder that closes before its parent tree is read (an empty folder)', async () => {
    const workspace = await freshWorkspace()
    const src = buildSource()
    const first = await backup(workspace, src)
    // Trees of the parent restore point arrive late, as from a slow store: the empty folder c
    // is closed (the next entry is listed) before its parent tree is known.
    const readTree = SnapshotReader.prototype.readTree
    vi.spyOn(SnapshotReader.prototype, 'readTree').mockImplementation(async function (
      this: SnapshotReader,
      ...args: Parameters<SnapshotReader['readTree']>
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      return readTree.apply(this, args)
    })
    const same = await backup(workspace, src, { parent: first.result.snapshot.id })
    expect(same.reused).toBe(6)
    expect(same.written).toBe(1)
    expect(same.result.snapshot.snapshot.tree).toBe(first.result.snapshot.snapshot.tree)
  })

  const root = process.getuid?.() === 0
  // Each case changes one thing; `written` are the folders whose tree must be written again
  // (the changed folder and those above it), the others are kept.
  const cases: {
    name: string
    change: (src: string) => void
    written: string[]
    skip?: boolean
  }[] = [
    {
      name: 'a file renamed',
      change: (src) =>
        keepingMtime(path.join(src, 'a/a1'), () =>
          fs.renameSync(path.join(src, 'a/a1/f.txt'), path.join(src, 'a/a1/F.txt')),
        ),
      written: ['a/a1', 'a', '.'],
    },
    {
      name: "a file's mode",
      change: (src) => fs.chmodSync(path.join(src, 'a/a2/g.txt'), 0o600),
      written: ['a/a2', 'a', '.'],
    },
    {
      name: "a file's mtime",
      change: (src) => fs.utimesSync(path.join(src, 'b/h.txt'), 1_500_000_000, 1_500_000_000),
      written: ['b', '.'],
    },
    {
      name: "a file's size",
      change: (src) =>
        keepingMtime(src, () => fs.appendFileSync(path.join(src, 'top.txt'), 'more\n')),
      written: ['.'],
    },
    {
      name: "a file's content (same size and mtime: only ctime tells)",
      change: (src) => {
        const file = path.join(src, 'a/a1/f.txt')
        const { mtimeNs } = fs.statSync(file, { bigint: true })
        fs.writeFileSync(file, 'F CONTENT\n')
        setTimes([{ path: Buffer.from(file), ns: mtimeNs }])
      },
      written: ['a/a1', 'a', '.'],
    },
    {
      name: "a file's owner",
      change: (src) => fs.chownSync(path.join(src, 'b/h.txt'), 12345, 0),
      written: ['b', '.'],
      skip: !root,
    },
    {
      name: "a file's group",
      change: (src) => fs.chownSync(path.join(src, 'b/h.txt'), 0, 12345),
      written: ['b', '.'],
      skip: !root,
    },
    {
      name: 'a symlink target',
      change: (src) =>
        keepingMtime(path.join(src, 'b'), () => {
          fs.rmSync(path.join(src, 'b/link'))
          fs.symlinkSync('h.txX', path.join(src, 'b/link'))
        }),
      written: ['b', '.'],
    },
    {
      name: 'a file added to an empty folder',
      change: (src) =>
        keepingMtime(path.join(src, 'c'), () => fs.writeFileSync(path.join(src, 'c/new'), '')),
      written: ['c', '.'],
    },
    {
      name: 'a file deleted',
      change: (src) =>
        keepingMtime(path.join(src, 'a/a2'), () => fs.rmSync(path.join(src, 'a/a2/g.txt'))),
      written: ['a/a2', 'a', '.'],
    },
    {
      // The folder's own tree is the same (kept); its entry in the folder above is not.
      name: "a folder's mode",
      change: (src) => fs.chmodSync(path.join(src, 'a/a1'), 0o700),
      written: ['a', '.'],
    },
    {
      name: 'a child tree two levels down',
      change: (src) =>
        keepingMtime(path.join(src, 'a/a2'), () =>
          fs.writeFileSync(path.join(src, 'a/a2/new.txt'), 'new\n'),
        ),
      written: ['a/a2', 'a', '.'],
    },
  ]
  for (const c of cases) {
    it.skipIf(c.skip === true)(`writes the trees again when ${c.name} changed`, async () => {
      const workspace = await freshWorkspace()
      const src = buildSource()
      const first = await backup(workspace, src)
      c.change(src)
      const next = await backup(workspace, src, { parent: first.result.snapshot.id })
      const full = await backup(workspace, src, {
        parent: first.result.snapshot.id,
        reuse: false,
      })
      expect(next.written).toBe(c.written.length + 1) // and the root tree
      expect(next.reused).toBe(6 - c.written.length)
      expect(next.result.snapshot.snapshot.tree).not.toBe(first.result.snapshot.snapshot.tree)
      // Exactly what writing every tree gives.
      expect(full.reused).toBe(0)
      expect(next.result.snapshot.snapshot.tree).toBe(full.result.snapshot.snapshot.tree)
      const a = next.result.snapshot.snapshot.stats
      const b = full.result.snapshot.snapshot.stats
      expect([a.files, a.dirs, a.symlinks, a.bytes]).toEqual([b.files, b.dirs, b.symlinks, b.bytes])
    })
  }
})
