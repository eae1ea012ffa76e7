import { describe, expect, it } from 'vitest'
import {
  createSnapshotWriter,
  findUnindexedPacks,
  indexPacksFromHeaders,
  loadIndex,
  openRepository,
  openSnapshotReader,
  openWorkspace,
} from '../../../src/main/core/repo'
import { CairnError } from '../../../src/shared/errors'
import { MemoryStore } from '../../support/memory-store'
import { backupModel, newWorkspace, normalize, prng, randomTree, restoreModel } from './support'

const writerOptions = { packSize: 128 * 1024, indexEveryPacks: 3 }

describe('interrupted backups', () => {
  it('never leave a visible restore point, and the next backup succeeds and reuses packs', async () => {
    let reusedRuns = 0
    for (let seed = 1; seed <= 12; seed++) {
      const store = new MemoryStore()
      const { workspace, masterKey } = await newWorkspace(store)
      const tree = randomTree(100 + seed, { files: 50, maxFileSize: 400_000, bigFiles: 1 })

      // Fail one PUT at a random point after some packs were stored.
      const random = prng(seed)
      let puts = 0
      const failAt = 3 + Math.floor(random() * 25)
      store.failWhen = (operation) => operation === 'put' && ++puts === failAt
      const writer = await createSnapshotWriter(workspace, writerOptions)
      let failed = false
      try {
        const root = await backupModel(writer, tree)
        await writer.commit({ trigger: 'manual', paths: ['/w'], hostname: 'h', tree: root })
      } catch (error) {
        expect(error).toBeInstanceOf(CairnError)
        failed = true
      }
      store.failWhen = null
      if (!failed) continue // the failure point lay past the last PUT
      expect(store.keysUnder(workspace.paths.snapshots)).toEqual([])

      const reused = (await loadIndex(workspace)).index.blobCount
      const packsBefore = store.keysUnder(workspace.paths.data).length
      const retry = await createSnapshotWriter(workspace, writerOptions)
      const root = await backupModel(retry, tree)
      const { snapshot } = await retry.commit({
        trigger: 'manual',
        paths: ['/w'],
        hostname: 'h',
        tree: root,
      })
      // Every blob indexed before the crash was reused, none uploaded twice.
      expect((await loadIndex(workspace)).index.blobCount).toBe(reused + snapshot.stats.addedBlobs)
      expect(store.keysUnder(workspace.paths.data).length).toBe(
        packsBefore + snapshot.stats.addedPacks,
      )
      if (reused > 0) reusedRuns++

      const reader = await openSnapshotReader(
        await openWorkspace(await openRepository(store, masterKey), 'ws-1'),
      )
      expect(normalize(await restoreModel(reader, root))).toEqual(normalize(tree))
    }
    expect(reusedRuns).toBeGreaterThan(3)
  })

  it('a backup cancelled through its signal leaves nothing visible', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const controller = new AbortController()
    store.failWhen = (operation, key) => {
      if (operation === 'put' && key.includes('/data/')) controller.abort()
      return controller.signal.aborted ? new CairnError('cancelled', 'cancelled') : undefined
    }
    const writer = await createSnapshotWriter(workspace, {
      ...writerOptions,
      signal: controller.signal,
    })
    await expect(
      (async () => {
        const root = await backupModel(writer, randomTree(5, { files: 30, bigFiles: 1 }))
        await writer.commit({ trigger: 'manual', paths: ['/w'], hostname: 'h', tree: root })
      })(),
    ).rejects.toThrow(CairnError)
    expect(store.keysUnder(workspace.paths.snapshots)).toEqual([])
  })

  it('packs stored after the last checkpoint are found and indexed from their headers', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const tree = randomTree(9, { files: 40, maxFileSize: 300_000, bigFiles: 1 })
    // No checkpoint index at all, and the final index write fails.
    store.failWhen = (operation, key) => operation === 'put' && key.includes('/index/')
    const writer = await createSnapshotWriter(workspace, {
      packSize: 128 * 1024,
      indexEveryPacks: 1000,
    })
    const root = await backupModel(writer, tree)
    await expect(
      writer.commit({ trigger: 'manual', paths: ['/w'], hostname: 'h', tree: root }),
    ).rejects.toThrow()
    store.failWhen = null

    const { index } = await loadIndex(workspace)
    expect(index.blobCount).toBe(0)
    const orphans = await findUnindexedPacks(workspace, index)
    expect(orphans.length).toBe(store.keysUnder(workspace.paths.data).length)
    const result = await indexPacksFromHeaders(workspace, index, orphans)
    expect(result.failed).toEqual([])
    expect(result.indexed.length).toBe(orphans.length)

    const retry = await createSnapshotWriter(workspace, { packSize: 128 * 1024 })
    const again = await backupModel(retry, tree)
    const { snapshot } = await retry.commit({
      trigger: 'manual',
      paths: ['/w'],
      hostname: 'h',
      tree: again,
    })
    expect(snapshot.stats.addedBlobs).toBe(0)
    expect(snapshot.stats.addedPacks).toBe(0)
    expect((await findUnindexedPacks(workspace, (await loadIndex(workspace)).index)).length).toBe(0)
  })
})
