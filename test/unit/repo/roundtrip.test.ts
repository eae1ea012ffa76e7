import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  createSnapshotWriter,
  openRepository,
  openSnapshotReader,
  openWorkspace,
  verifySnapshot,
} from '../../../src/main/core/repo'
import { FolderStore } from '../../../src/main/core/storage/folder-store'
import type { ObjectStore } from '../../../src/main/core/storage/object-store'
import { MemoryStore } from '../../support/memory-store'
import {
  backupModel,
  dir,
  file,
  newWorkspace,
  normalize,
  randomTree,
  restoreModel,
  seededBytes,
} from './support'

async function roundTrip(
  store: ObjectStore,
  seed: number,
  options: Parameters<typeof randomTree>[1] = {},
) {
  const { workspace, masterKey } = await newWorkspace(store)
  const tree = randomTree(seed, options)
  const writer = await createSnapshotWriter(workspace, { packSize: 256 * 1024 })
  const root = await backupModel(writer, tree)
  const { id } = await writer.commit({
    trigger: 'manual',
    paths: ['/home/dev'],
    hostname: 'vm-1',
    tree: root,
  })

  // A second desktop: only the store and the master key.
  const repo = await openRepository(store, masterKey)
  const reader = await openSnapshotReader(await openWorkspace(repo, 'ws-1'))
  const { snapshots, damaged } = await reader.listSnapshots()
  expect(damaged).toEqual([])
  expect(snapshots.map((s) => s.id)).toEqual([id])
  const restored = await restoreModel(reader, snapshots[0]!.snapshot.tree)
  expect(normalize(restored)).toEqual(normalize(tree))
  const report = await verifySnapshot(reader, id)
  expect(report.ok).toBe(true)
  return { snapshot: snapshots[0]!.snapshot, report }
}

describe('backup and restore round trip', () => {
  it('restores generated trees bit for bit (awkward names, empty files, symlinks, modes, mtimes)', async () => {
    for (const seed of [1, 2, 3, 4, 5]) await roundTrip(new MemoryStore(), seed, { files: 60 })
  })

  it('restores big files that cross many chunks and packs', async () => {
    const { snapshot, report } = await roundTrip(new MemoryStore(), 7, { files: 10, bigFiles: 2 })
    expect(snapshot.stats.addedPacks).toBeGreaterThan(4)
    expect(report.dataBlobsChecked).toBeGreaterThan(20)
  })

  it('keeps an empty directory, an empty file and an empty root', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const writer = await createSnapshotWriter(workspace)
    const tree = dir({ empty: dir(), 'zero-bytes': file(Buffer.alloc(0)) })
    const root = await backupModel(writer, tree)
    const emptyRoot = await writer.writeTree([])
    await writer.commit({ trigger: 'manual', paths: ['/w'], hostname: 'h', tree: root })
    const reader = await openSnapshotReader(workspace)
    expect(normalize(await restoreModel(reader, root))).toEqual(normalize(tree))
    expect(await reader.readTree(emptyRoot)).toEqual([])
    const [zero] = (await reader.readTree(root)).filter((e) => e.type === 'file')
    expect(zero!.content).toEqual([])
  })

  it('streams many files with few ranged GETs', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const writer = await createSnapshotWriter(workspace)
    const contents = Array.from({ length: 300 }, (_, i) =>
      seededBytes(`m${i}`, i % 10 === 0 ? 0 : 500 + i * 97),
    )
    contents.push(seededBytes('big', 2 << 20))
    const files: { content: string[]; i: number }[] = []
    for (const [i, content] of contents.entries()) {
      files.push({ content: (await writer.addFileContent([content])).content, i })
    }
    const tree = await writer.writeTree([])
    await writer.commit({ trigger: 'manual', paths: ['/'], hostname: 'h', tree })

    const reader = await openSnapshotReader(workspace)
    const gets = store.requests.get
    const parts = contents.map(() => [] as Buffer[])
    const finished: number[] = []
    for await (const { file, data, last } of reader.readFiles(files)) {
      parts[file.i]!.push(data)
      if (last) finished.push(file.i)
    }
    expect(finished).toEqual(files.map((f) => f.i))
    contents.forEach((content, i) => expect(Buffer.concat(parts[i]!).equals(content)).toBe(true))
    expect(store.requests.get - gets).toBeLessThan(10)
  })

  it('refuses a directory that references data the repository does not have', async () => {
    const { workspace } = await newWorkspace(new MemoryStore())
    const writer = await createSnapshotWriter(workspace)
    const entry = { name: Buffer.from('f'), type: 'file' as const, mode: 0o644, uid: 0, gid: 0 }
    const times = { mtimeSec: 0, mtimeNsec: 0 }
    await expect(
      writer.writeTree([{ ...entry, ...times, size: 1, content: ['ab'.repeat(32)] }]),
    ).rejects.toThrow(/not in the repository/)
    const stored = await writer.addFileContent([Buffer.from('x')])
    expect(writer.hasBlob(stored.content[0]!)).toBe(true)
    await writer.writeTree([{ ...entry, ...times, size: 1, content: stored.content }])
  })

  it('records snapshot metadata and statistics', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const writer = await createSnapshotWriter(workspace)
    const tree = dir({
      a: file(seededBytes('a', 5000)),
      sub: dir({ b: file(seededBytes('b', 12_000)) }),
    })
    const root = await backupModel(writer, tree)
    const time = new Date('2030-01-02T03:04:05.678Z')
    const { snapshot } = await writer.commit({
      trigger: 'stop',
      paths: ['/home/dev/project'],
      hostname: 'vm-7',
      tree: root,
      tags: ['before-upgrade'],
      time,
      program: 'cairn 0.1.0',
    })
    expect(snapshot).toMatchObject({
      version: 1,
      workspace: 'ws-1',
      time: time.toISOString(),
      trigger: 'stop',
      paths: ['/home/dev/project'],
      hostname: 'vm-7',
      parent: null,
      tree: root,
      keyVersion: 1,
      tags: ['before-upgrade'],
      program: 'cairn 0.1.0',
    })
    expect(snapshot.stats).toMatchObject({
      files: 2,
      dirs: 1,
      bytes: 17_000,
      addedBlobs: 4,
      addedPacks: 2,
      addedIndexFiles: 1,
    })
    const reader = await openSnapshotReader(workspace)
    const loaded = await reader.loadSnapshot('latest')
    expect(loaded.snapshot).toEqual(snapshot)
    expect((await reader.loadSnapshot(loaded.id.slice(0, 6))).id).toBe(loaded.id)
  })

  it('works against the folder backend', async () => {
    const root = await mkdtemp(join(tmpdir(), 'cairn-repo-'))
    try {
      await roundTrip(new FolderStore(root), 11, { files: 30 })
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
