import { describe, expect, it } from 'vitest'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import {
  createSnapshotWriter,
  initRepository,
  listWorkspaces,
  openRepository,
  openSnapshotReader,
  openWorkspace,
  rotateWorkspaceKey,
} from '../../../src/main/core/repo'
import { readWorkspaceRecord } from '../../../src/main/core/repo/repository/repository'
import { CairnError } from '../../../src/shared/errors'
import { MemoryStore } from '../../support/memory-store'
import { backupModel, dir, file, normalize, restoreModel, seededBytes } from './support'

async function rejection(promise: Promise<unknown>): Promise<CairnError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError)
    return error as CairnError
  }
  throw new Error('expected a rejection')
}

describe('repository and keys', () => {
  it('detects a wrong master key before anything is written', async () => {
    const store = new MemoryStore()
    await initRepository(store, generateMasterKey())
    const putsBefore = store.requests.put
    const error = await rejection(openRepository(store, generateMasterKey()))
    expect(error.code).toBe('unauthorized')
    expect(error.message).toMatch(/This recovery key does not open this repository/)
    expect(store.requests.put).toBe(putsBefore)
  })

  it('detects a foreign repository, a newer format and a missing one without writing', async () => {
    const restic = new MemoryStore()
    restic.objects.set('config', Buffer.from([0x12, 0x9f, 0x00, 0x44, 0x51])) // encrypted binary, like restic's
    restic.objects.set('keys/b02de829beeb', Buffer.from('{}'))
    expect((await rejection(openRepository(restic, generateMasterKey()))).code).toBe('conflict')
    expect((await rejection(openRepository(restic, generateMasterKey()))).message).toMatch(
      /not a Cairn repository/,
    )

    const newer = new MemoryStore()
    newer.objects.set(
      'config',
      Buffer.from(JSON.stringify({ format: 'cairn-repository', version: 9 })),
    )
    const error = await rejection(openRepository(newer, generateMasterKey()))
    expect(error.code).toBe('conflict')
    expect(error.message).toMatch(/format version 9.*Update Cairn/)

    const empty = new MemoryStore()
    expect((await rejection(openRepository(empty, generateMasterKey()))).code).toBe('not_found')
    for (const store of [restic, newer, empty]) expect(store.requests.put).toBe(0)
  })

  it('refuses to create a repository in a location that is not empty', async () => {
    const store = new MemoryStore()
    store.objects.set('somebody/else.txt', Buffer.from('hi'))
    const error = await rejection(initRepository(store, generateMasterKey()))
    expect(error.code).toBe('conflict')
    expect(store.requests.put).toBe(0)
    const existing = new MemoryStore()
    await initRepository(existing, generateMasterKey())
    expect((await rejection(initRepository(existing, generateMasterKey()))).message).toMatch(
      /already a repository/,
    )
  })

  it('opens with the right key on a second desktop, lists workspaces and refuses unknown ones', async () => {
    const store = new MemoryStore()
    const key = generateMasterKey()
    const repo = await initRepository(store, key)
    await openWorkspace(repo, 'alpha', { create: true })
    await openWorkspace(repo, 'beta', { create: true })
    const again = await openRepository(store, Uint8Array.from(key))
    expect(again.id).toBe(repo.id)
    expect(await listWorkspaces(again)).toEqual(['alpha', 'beta'])
    expect((await readWorkspaceRecord(again, 'beta')).workspace).toBe('beta')
    expect((await rejection(openWorkspace(again, 'gamma'))).code).toBe('not_found')
    expect((await rejection(openWorkspace(again, '../escape', { create: true }))).code).toBe(
      'invalid_input',
    )
  })

  it('gives each workspace its own key and cannot read one workspace with another key file', async () => {
    const store = new MemoryStore()
    const repo = await initRepository(store, generateMasterKey())
    const alpha = await openWorkspace(repo, 'alpha', { create: true })
    const beta = await openWorkspace(repo, 'beta', { create: true })
    expect(alpha.keys.current.dataKey.equals(beta.keys.current.dataKey)).toBe(false)
    // A key file copied from another workspace does not authenticate there.
    store.objects.set(beta.paths.keyFile(1), store.objects.get(alpha.paths.keyFile(1))!)
    const error = await rejection(openWorkspace(repo, 'beta'))
    expect(error.details?.reason).toBe('damaged')
  })

  it('two desktops creating the same workspace at once end up with one key', async () => {
    const store = new MemoryStore()
    const repo = await initRepository(store, generateMasterKey())
    const [a, b] = await Promise.all([
      openWorkspace(repo, 'same', { create: true }),
      openWorkspace(repo, 'same', { create: true }),
    ])
    expect(a.keys.current.dataKey.equals(b.keys.current.dataKey)).toBe(true)
    expect(store.keysUnder('workspaces/same/keys/')).toHaveLength(1)
  })

  it('rotates a workspace key: new data uses the new version, old restore points still read', async () => {
    const store = new MemoryStore()
    const key = generateMasterKey()
    const repo = await initRepository(store, key)
    const workspace = await openWorkspace(repo, 'ws', { create: true })
    const before = dir({ a: file(seededBytes('a', 100_000)) })
    const w1 = await createSnapshotWriter(workspace)
    const first = await w1.commit({
      trigger: 'manual',
      paths: ['/'],
      hostname: 'h',
      tree: await backupModel(w1, before),
    })

    expect(await rotateWorkspaceKey(workspace)).toBe(2)
    const after = dir({ a: file(seededBytes('a', 100_000)), b: file(seededBytes('b', 1000)) })
    const w2 = await createSnapshotWriter(workspace)
    const second = await w2.commit({
      trigger: 'manual',
      paths: ['/'],
      hostname: 'h',
      tree: await backupModel(w2, after),
    })
    expect(second.snapshot.keyVersion).toBe(2)
    // Nothing written under the old key is reused under the new one.
    const reader2 = await openSnapshotReader(workspace)
    const contentOf = async (tree: string) =>
      (await reader2.readTree(tree)).find((e) => e.name.toString() === 'a')!.content!
    const oldIds = await contentOf(first.snapshot.tree)
    const newIds = await contentOf(second.snapshot.tree)
    expect(newIds.filter((id) => oldIds.includes(id))).toEqual([])
    expect(second.snapshot.stats.addedBlobs).toBe(newIds.length + 2)

    const reopened = await openWorkspace(await openRepository(store, key), 'ws')
    expect(reopened.keys.versions).toEqual([1, 2])
    const reader = await openSnapshotReader(reopened)
    expect(normalize(await restoreModel(reader, first.snapshot.tree))).toEqual(normalize(before))
    expect(normalize(await restoreModel(reader, second.snapshot.tree))).toEqual(normalize(after))
  })
})
