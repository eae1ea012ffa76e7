import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  acquireLease,
  checkWorkspace,
  createSnapshotWriter,
  FolderIndexCache,
  loadIndex,
  openRepository,
  openSnapshotReader,
  openWorkspace,
  pruneWorkspace,
  type Workspace,
} from '../../../src/main/core/repo'
import { forgetSnapshots } from '../../../src/main/core/repo/workspace/forget'
import { CairnError } from '../../../src/shared/errors'
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
  type ModelNode,
} from '../repo/support'

const writerOptions = { packSize: 128 * 1024, indexEveryPacks: 3 }
const pruneOptions = {
  holder: 'prune test',
  hostname: 'test-host',
  unindexedGraceMs: 0,
  packTargetSize: 128 * 1024,
}
const temp = mkdtempSync(path.join(tmpdir(), 'cairn-prune-'))
afterAll(() => rmSync(temp, { recursive: true, force: true }))

interface Point {
  id: string
  tree: ModelNode
}

/** Six restore points of a workspace whose files change between backups (shared and new data). */
async function history(store: MemoryStore, workspace: Workspace): Promise<Point[]> {
  const points: Point[] = []
  const shared = randomTree(7, { files: 30, maxFileSize: 100_000 })
  for (let i = 0; i < 6; i++) {
    const tree = dir({
      shared,
      [`own-${i}`]: randomTree(100 + i, { files: 25, maxFileSize: 120_000 }),
      'big.bin': file(seededBytes(`big-${i % 2}`, 600_000)),
    })
    const writer = await createSnapshotWriter(workspace, writerOptions)
    const root = await backupModel(writer, tree)
    const { id } = await writer.commit({
      trigger: 'manual',
      paths: ['/w'],
      hostname: 'h',
      tree: root,
    })
    points.push({ id, tree })
  }
  void store
  return points
}

async function forget(workspace: Workspace, ids: string[]): Promise<void> {
  const lease = await acquireLease(workspace, { holder: 'forget', hostname: 'h' })
  await forgetSnapshots(workspace, ids, { lease })
  await lease.release()
}

/** Every listed restore point restores equal to what was backed up (through a fresh open). */
async function expectRestorable(
  store: MemoryStore,
  masterKey: Uint8Array,
  points: readonly Point[],
): Promise<void> {
  const workspace = await openWorkspace(await openRepository(store, masterKey), 'ws-1')
  const reader = await openSnapshotReader(workspace)
  const listed = (await reader.listSnapshots()).snapshots.map((s) => s.id).sort()
  expect(listed).toEqual(points.map((p) => p.id).sort())
  for (const point of points) {
    const info = await reader.loadSnapshot(point.id)
    expect(normalize(await restoreModel(reader, info.snapshot.tree))).toEqual(normalize(point.tree))
  }
}

async function expectNothingToPrune(workspace: Workspace): Promise<void> {
  const plan = await pruneWorkspace(workspace, { ...pruneOptions, dryRun: true })
  expect(plan.removedPacks).toEqual([])
  expect(plan.repackedPacks).toEqual([])
  expect(plan.unindexedPacksDeleted).toEqual([])
  expect(plan.unindexedPacksKept).toEqual([])
}

describe('prune', () => {
  it('after a forget frees space, keeps every remaining restore point bit-identical, and a second prune is a no-op', async () => {
    const store = new MemoryStore()
    const { workspace, masterKey } = await newWorkspace(store)
    const points = await history(store, workspace)
    await forget(workspace, [points[0]!.id, points[2]!.id, points[3]!.id])
    const kept = [points[1]!, points[4]!, points[5]!]
    const before = store.bytesUnder(workspace.paths.data)

    const dry = await pruneWorkspace(workspace, { ...pruneOptions, dryRun: true })
    expect(store.bytesUnder(workspace.paths.data)).toBe(before)
    expect(dry.removedPacks.length + dry.repackedPacks.length).toBeGreaterThan(0)
    expect(dry.bytesFreed).toBeGreaterThan(0)
    expect(dry.requests.put + dry.requests.delete).toBe(0)

    const result = await pruneWorkspace(workspace, pruneOptions)
    const after = store.bytesUnder(workspace.paths.data)
    expect(after).toBeLessThan(before)
    expect(result.bytesBefore).toBe(before)
    expect(result.bytesAfter).toBe(after)
    expect(result.bytesFreed).toBe(before - after)
    expect(result.removedPacks.length).toBe(dry.removedPacks.length)
    expect(result.repackedPacks.length).toBe(dry.repackedPacks.length)
    expect(result.requests.delete).toBeGreaterThanOrEqual(result.removedPacks.length)
    expect(store.keysUnder(workspace.paths.data).length).toBe(result.packsAfter)

    await expectRestorable(store, masterKey, kept)
    const check = await checkWorkspace(workspace)
    expect(check.problems).toEqual([])
    expect(check.unindexedPacks).toEqual([])
    await expectNothingToPrune(workspace)

    const again = await pruneWorkspace(workspace, pruneOptions)
    expect(again.bytesFreed).toBe(0)
    // Only the lease's own objects are written and deleted.
    expect(again.requests.put).toBe(1)
    expect(again.requests.delete).toBe(1)
    expect(store.bytesUnder(workspace.paths.data)).toBe(after)

    // A backup after the prune deduplicates against the repacked data and restores too.
    const writer = await createSnapshotWriter(workspace, writerOptions)
    const root = await backupModel(writer, points[4]!.tree)
    const next = await writer.commit({
      trigger: 'manual',
      paths: ['/w'],
      hostname: 'h',
      tree: root,
    })
    expect(next.snapshot.stats.addedBlobs).toBe(0)
    await expectRestorable(store, masterKey, [...kept, { id: next.id, tree: points[4]!.tree }])
  })

  it('forgetting everything but the latest leaves only what it needs', async () => {
    const store = new MemoryStore()
    const { workspace, masterKey } = await newWorkspace(store)
    const points = await history(store, workspace)
    await forget(
      workspace,
      points.slice(0, -1).map((p) => p.id),
    )
    await pruneWorkspace(workspace, { ...pruneOptions, maxUnusedShare: 0 })
    await expectRestorable(store, masterKey, [points[5]!])
    // With no unused share allowed, every blob left is one the restore point needs.
    const { index } = await loadIndex(workspace)
    const reader = await openSnapshotReader(workspace)
    const info = await reader.loadSnapshot(points[5]!.id)
    expect(info.id).toBe(points[5]!.id)
    await expectNothingToPrune(workspace)
    expect(index.blobCount).toBeGreaterThan(0)
  })

  it('a crash at any request leaves every restore point restorable, and a later prune finishes', async () => {
    const store = new MemoryStore()
    const { workspace, masterKey } = await newWorkspace(store)
    const points = await history(store, workspace)
    await forget(workspace, [points[0]!.id, points[2]!.id, points[3]!.id])
    const kept = [points[1]!, points[4]!, points[5]!]
    const pristine = new Map(store.objects)
    const reset = () => {
      store.objects.clear()
      for (const [key, value] of pristine) store.objects.set(key, value)
    }

    // How many mutating requests a whole prune makes (besides its lease).
    const mutations = () => store.requests.put + store.requests.delete
    const start = mutations()
    await pruneWorkspace(workspace, pruneOptions)
    const total = mutations() - start - 2
    expect(total).toBeGreaterThan(5)
    const finalBytes = store.bytesUnder(workspace.paths.data)

    let crashes = 0
    for (let failAt = 1; failAt <= total; failAt++) {
      reset()
      let count = 0
      // Every request after the failure fails too: the process is gone.
      store.failWhen = (operation, key) =>
        (operation === 'put' || operation === 'delete') &&
        !key.includes('/locks/') &&
        ++count >= failAt
      await expect(pruneWorkspace(workspace, pruneOptions)).rejects.toBeInstanceOf(CairnError)
      store.failWhen = null
      crashes++
      await expectRestorable(store, masterKey, kept)
      // Its lease is left behind by the "dead" process only when its release failed; here the
      // release succeeded, so the next prune proceeds at once.
      await pruneWorkspace(workspace, pruneOptions)
      await expectRestorable(store, masterKey, kept)
      await expectNothingToPrune(workspace)
      expect(store.bytesUnder(workspace.paths.data)).toBeLessThanOrEqual(finalBytes * 1.05)
    }
    expect(crashes).toBe(total)
  }, 120_000)

  it('refuses while another holder has the lease, naming it', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const points = await history(store, workspace)
    await forget(workspace, [points[0]!.id])
    const lease = await acquireLease(workspace, { holder: 'backup job 7', hostname: 'other-desk' })
    const before = store.keysUnder(workspace.paths.root).length
    await expect(pruneWorkspace(workspace, pruneOptions)).rejects.toThrow(
      /backup job 7 on other-desk/,
    )
    expect(store.keysUnder(workspace.paths.root).length).toBe(before)
    await lease.release()
    await pruneWorkspace(workspace, pruneOptions)
  })

  it('keeps packs no index lists while they are young, deletes them once old', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    await history(store, workspace)
    // An interrupted backup: packs stored, no index, no snapshot.
    let puts = 0
    store.failWhen = (operation, key) =>
      operation === 'put' && key.includes('/index/') ? true : (void puts++, false)
    const writer = await createSnapshotWriter(workspace, writerOptions)
    await expect(
      (async () => {
        const root = await backupModel(writer, randomTree(999, { files: 20, maxFileSize: 200_000 }))
        await writer.commit({ trigger: 'manual', paths: ['/w'], hostname: 'h', tree: root })
      })(),
    ).rejects.toBeInstanceOf(CairnError)
    store.failWhen = null
    const young = await pruneWorkspace(workspace, { ...pruneOptions, unindexedGraceMs: 3_600_000 })
    expect(young.unindexedPacksKept.length).toBeGreaterThan(0)
    expect(young.unindexedPacksDeleted).toEqual([])
    const old = await pruneWorkspace(workspace, pruneOptions)
    expect(old.unindexedPacksDeleted.length).toBe(young.unindexedPacksKept.length)
    await expectNothingToPrune(workspace)
  })

  it('the local index cache never serves an index file the prune deleted', async () => {
    const store = new MemoryStore()
    const { workspace, masterKey } = await newWorkspace(store)
    const points = await history(store, workspace)
    const repo = await openRepository(store, masterKey)
    const cache = new FolderIndexCache(path.join(temp, 'cache'), repo.id, 'ws-1')
    const { files: oldFiles } = await loadIndex(workspace, { cache })
    expect(readdirSync(cache.dir).sort()).toEqual([...oldFiles].sort())
    await forget(workspace, [points[0]!.id, points[1]!.id])
    await pruneWorkspace(workspace, pruneOptions)
    const { files } = await loadIndex(workspace, { cache })
    expect(files.some((id) => oldFiles.includes(id))).toBe(false)
    expect(readdirSync(cache.dir).sort()).toEqual([...files].sort())
    await expectRestorable(store, masterKey, points.slice(2))
  })
})
