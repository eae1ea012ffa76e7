import { describe, expect, it } from 'vitest'
import { createSnapshotWriter } from '../../../src/main/core/repo'
import { MemoryStore } from '../../support/memory-store'
import { backupModel, dir, file, newWorkspace, seededBytes, type ModelNode } from './support'

function workspaceTree(big: Buffer, small: Buffer[]): ModelNode {
  const src: Record<string, ModelNode> = {}
  small.forEach((content, i) => (src[`file-${i}.ts`] = file(content)))
  return dir({ 'data.bin': file(big), src: dir(src) })
}

describe('deduplication', () => {
  it('stores nothing new for an unchanged tree but the snapshot', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const tree = workspaceTree(
      seededBytes('big', 8 << 20),
      Array.from({ length: 50 }, (_, i) => seededBytes(`s${i}`, 1000 + i * 300)),
    )
    const first = await createSnapshotWriter(workspace)
    await first.commit({
      trigger: 'manual',
      paths: ['/w'],
      hostname: 'h',
      tree: await backupModel(first, tree),
    })
    const putsBefore = store.requests.put
    const objectsBefore = store.objects.size

    const second = await createSnapshotWriter(workspace)
    const { snapshot } = await second.commit({
      trigger: 'schedule',
      paths: ['/w'],
      hostname: 'h',
      tree: await backupModel(second, tree),
    })
    expect(snapshot.stats).toMatchObject({
      addedBlobs: 0,
      addedPacks: 0,
      addedIndexFiles: 0,
      addedBytes: 0,
    })
    expect(store.requests.put - putsBefore).toBe(1)
    expect(store.objects.size).toBe(objectsBefore + 1)
  })

  it('the same content twice in one backup is stored once', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const content = seededBytes('twice', 3 << 20)
    const writer = await createSnapshotWriter(workspace)
    const [a, b] = await Promise.all([
      writer.addFileContent([content]),
      writer.addFileContent([content]),
    ])
    expect(a.content).toEqual(b.content)
    expect(a.addedBytes + b.addedBytes).toBe(content.length)
  })

  it('a ~1% change uploads at most twice the changed bytes', async () => {
    // ~41 MiB: one 32 MiB binary and 400 source-sized files. The change, typical of a working
    // session: 16 source files rewritten, 4 added, and 256 KiB rewritten inside the binary.
    const big = seededBytes('big', 32 << 20)
    const small = Array.from({ length: 400 }, (_, i) =>
      seededBytes(`small-${i}`, 4000 + ((i * 7919) % 36000)),
    )
    const before = workspaceTree(big, small)
    const edited = Buffer.concat([
      big.subarray(0, 5 << 20),
      seededBytes('rewrite', 256 << 10),
      big.subarray((5 << 20) + (256 << 10)),
    ])
    const isChanged = (i: number) => i % 25 === 7
    const after = workspaceTree(edited, [
      ...small.map((content, i) =>
        isChanged(i) ? seededBytes(`changed-${i}`, content.length) : content,
      ),
      ...Array.from({ length: 4 }, (_, i) => seededBytes(`new-${i}`, 20_000)),
    ])
    let changedBytes = (256 << 10) + 4 * 20_000
    small.forEach((content, i) => isChanged(i) && (changedBytes += content.length))
    const totalBytes = big.length + small.reduce((sum, c) => sum + c.length, 0)
    expect(changedBytes / totalBytes).toBeGreaterThan(0.01)
    expect(changedBytes / totalBytes).toBeLessThan(0.02)

    // Chunk boundaries depend on the workspace key, so try a few.
    for (let attempt = 0; attempt < 3; attempt++) {
      const store = new MemoryStore()
      const { workspace } = await newWorkspace(store)
      const first = await createSnapshotWriter(workspace)
      const root = await backupModel(first, before)
      await first.commit({ trigger: 'manual', paths: ['/w'], hostname: 'h', tree: root })
      const uploadedBefore = store.requests.bytesUp
      const second = await createSnapshotWriter(workspace)
      const { snapshot } = await second.commit({
        trigger: 'manual',
        paths: ['/w'],
        hostname: 'h',
        tree: await backupModel(second, after),
      })
      const uploaded = store.requests.bytesUp - uploadedBefore
      console.log(
        `~1% change: changed ${changedBytes} bytes (${((100 * changedBytes) / totalBytes).toFixed(2)}%), new blobs ${snapshot.stats.addedBytes} bytes, uploaded ${uploaded} bytes (packs, index, snapshot): ${(uploaded / changedBytes).toFixed(2)}x`,
      )
      expect(uploaded).toBeLessThanOrEqual(2 * changedBytes)
    }
  })
})
