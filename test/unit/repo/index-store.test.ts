import { describe, expect, it } from 'vitest'
import { CairnError } from '../../../src/shared/errors'
import {
  compactIndex,
  createSnapshotWriter,
  loadIndex,
  openSnapshotReader,
  type IndexCache,
} from '../../../src/main/core/repo'
import { MemoryStore } from '../../support/memory-store'
import {
  backupModel,
  dir,
  file,
  newWorkspace,
  normalize,
  restoreModel,
  seededBytes,
} from './support'

describe('index files', () => {
  it('compacts many index files into one without losing a blob', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const trees = []
    for (let i = 0; i < 4; i++) {
      const tree = dir({ [`f${i}`]: file(seededBytes(`c${i}`, 50_000 + i)) })
      const writer = await createSnapshotWriter(workspace)
      const root = await backupModel(writer, tree)
      await writer.commit({ trigger: 'manual', paths: ['/'], hostname: 'h', tree: root })
      trees.push({ tree, root })
    }
    const before = await loadIndex(workspace)
    expect(before.files).toHaveLength(4)
    const written = await compactIndex(workspace)
    expect(written).toHaveLength(1)
    expect(store.keysUnder(workspace.paths.index)).toEqual([workspace.paths.indexFile(written[0]!)])
    const after = await loadIndex(workspace)
    expect(after.index.blobCount).toBe(before.index.blobCount)
    const reader = await openSnapshotReader(workspace, { index: after.index })
    for (const { tree, root } of trees) {
      expect(normalize(await restoreModel(reader, root))).toEqual(normalize(tree))
    }
  })

  it('reads index files through a cache and refuses a cached copy that does not match its name', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const writer = await createSnapshotWriter(workspace)
    const root = await backupModel(writer, dir({ a: file(seededBytes('a', 1000)) }))
    await writer.commit({ trigger: 'manual', paths: ['/'], hostname: 'h', tree: root })
    const cached = new Map<string, Uint8Array>()
    const cache: IndexCache = {
      get: async (id) => cached.get(id) ?? null,
      put: async (id, bytes) => void cached.set(id, bytes),
    }
    const first = await loadIndex(workspace, { cache })
    expect(cached.size).toBe(1)
    const gets = store.requests.get
    const second = await loadIndex(workspace, { cache })
    expect(store.requests.get).toBe(gets)
    expect(second.index.blobCount).toBe(first.index.blobCount)
    // A tampered cache entry is ignored and the file fetched again.
    const [id] = cached.keys()
    cached.set(id!, Uint8Array.from([1, 2, 3]))
    expect((await loadIndex(workspace, { cache })).index.blobCount).toBe(first.index.blobCount)
    expect(store.requests.get).toBe(gets + 1)
  })

  it('refuses a damaged index file with a message that says how to repair it', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const writer = await createSnapshotWriter(workspace)
    const root = await backupModel(writer, dir({ a: file(seededBytes('a', 1000)) }))
    await writer.commit({ trigger: 'manual', paths: ['/'], hostname: 'h', tree: root })
    const [key] = store.keysUnder(workspace.paths.index)
    const bytes = Uint8Array.from((await store.get(key!))!)
    bytes[40]! ^= 1
    await store.put(key!, bytes)
    const error = await loadIndex(workspace).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CairnError)
    expect((error as CairnError).details).toMatchObject({ reason: 'damaged', object: key })
    expect((error as CairnError).message).toMatch(
      /^Index file [0-9a-f]{8} is damaged \(its content does not match its name\)\. Indexes can be rebuilt from the packs: Settings > Backups > Maintenance, check the repository, then Rebuild the index \(or `cairn check --repair-index`\)\.$/,
    )
  })
})
