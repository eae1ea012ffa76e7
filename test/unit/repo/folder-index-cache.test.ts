import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  compactIndex,
  createSnapshotWriter,
  FolderIndexCache,
  loadIndex,
} from '../../../src/main/core/repo'
import { MemoryStore } from '../../support/memory-store'
import { backupModel, dir, file, newWorkspace, seededBytes } from './support'

let root: string
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'cairn-index-cache-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

async function backedUp(store: MemoryStore, cache?: FolderIndexCache) {
  const { workspace } = await newWorkspace(store)
  const writer = await createSnapshotWriter(workspace, cache ? { indexCache: cache } : {})
  const tree = await backupModel(writer, dir({ a: file(seededBytes('a', 40_000)) }))
  await writer.commit({ trigger: 'manual', paths: ['/'], hostname: 'h', tree })
  return workspace
}

describe('FolderIndexCache', () => {
  it('keeps the index files a writer stores, so the next load GETs none of them', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const cache = new FolderIndexCache(root, workspace.repo.id, workspace.id)
    const writer = await createSnapshotWriter(workspace, { indexCache: cache })
    const tree = await backupModel(writer, dir({ a: file(seededBytes('a', 40_000)) }))
    await writer.commit({ trigger: 'manual', paths: ['/'], hostname: 'h', tree })
    expect(await readdir(cache.dir)).toHaveLength(1)
    const gets = store.requests.get
    const { index, files } = await loadIndex(workspace, { cache })
    expect(store.requests.get).toBe(gets)
    expect(files).toHaveLength(1)
    expect(index.has(tree)).toBe(true)
  })

  it('downloads index files it does not hold once, then serves them from disk', async () => {
    const store = new MemoryStore()
    const workspace = await backedUp(store)
    const cache = new FolderIndexCache(root, workspace.repo.id, workspace.id)
    const gets = store.requests.get
    await loadIndex(workspace, { cache })
    expect(store.requests.get).toBe(gets + 1)
    await loadIndex(workspace, { cache })
    expect(store.requests.get).toBe(gets + 1)
  })

  it('detects a tampered entry, fetches the file again and repairs the entry', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const cache = new FolderIndexCache(root, workspace.repo.id, workspace.id)
    const writer = await createSnapshotWriter(workspace, { indexCache: cache })
    const tree = await backupModel(writer, dir({ a: file(seededBytes('a', 40_000)) }))
    await writer.commit({ trigger: 'manual', paths: ['/'], hostname: 'h', tree })
    const [name] = await readdir(cache.dir)
    const entry = path.join(cache.dir, name!)
    const good = await readFile(entry)
    const bad = Buffer.from(good)
    bad[100]! ^= 0x01
    await writeFile(entry, bad)
    const gets = store.requests.get
    const { index } = await loadIndex(workspace, { cache })
    expect(index.has(tree)).toBe(true)
    expect(store.requests.get).toBe(gets + 1)
    expect(Buffer.compare(await readFile(entry), good)).toBe(0)
  })

  it('is kept per repository: another repository with the same workspace id does not use it', async () => {
    const storeA = new MemoryStore()
    const a = await backedUp(storeA)
    const cacheA = new FolderIndexCache(root, a.repo.id, a.id)
    await loadIndex(a, { cache: cacheA })
    const storeB = new MemoryStore()
    const b = await backedUp(storeB)
    expect(b.id).toBe(a.id)
    expect(b.repo.id).not.toBe(a.repo.id)
    const cacheB = new FolderIndexCache(root, b.repo.id, b.id)
    expect(cacheB.dir).not.toBe(cacheA.dir)
    const gets = storeB.requests.get
    const { files } = await loadIndex(b, { cache: cacheB })
    expect(storeB.requests.get).toBe(gets + 1)
    // Even a foreign entry under this repository's name is only used if it is that exact file.
    const [foreign] = await readdir(cacheA.dir)
    expect(files).not.toContain(foreign)
  })

  it('drops entries of index files that a compaction removed', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const cache = new FolderIndexCache(root, workspace.repo.id, workspace.id)
    for (let i = 0; i < 3; i++) {
      const writer = await createSnapshotWriter(workspace, { indexCache: cache })
      const tree = await backupModel(writer, dir({ [`f${i}`]: file(seededBytes(`c${i}`, 30_000)) }))
      await writer.commit({ trigger: 'manual', paths: ['/'], hostname: 'h', tree })
    }
    expect(await readdir(cache.dir)).toHaveLength(3)
    const written = await compactIndex(workspace)
    await loadIndex(workspace, { cache })
    expect(await readdir(cache.dir)).toEqual(written)
  })

  it('refuses names that are not index ids', async () => {
    const cache = new FolderIndexCache(root, 'a'.repeat(64), 'ws')
    await cache.put('../escape', Buffer.from('x'))
    expect(await cache.get('../escape')).toBeNull()
    expect(() => new FolderIndexCache(root, '../x', 'ws')).toThrow()
    expect(() => new FolderIndexCache(root, 'a'.repeat(64), '../ws')).toThrow()
  })
})
