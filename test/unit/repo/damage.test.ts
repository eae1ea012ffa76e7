import { describe, expect, it } from 'vitest'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import {
  checkWorkspace,
  createSnapshotWriter,
  initRepository,
  isDamage,
  openRepository,
  openSnapshotReader,
  openWorkspace,
} from '../../../src/main/core/repo'
import { readWorkspaceRecord } from '../../../src/main/core/repo/repository/repository'
import { CairnError } from '../../../src/shared/errors'
import { MemoryStore } from '../../support/memory-store'
import { backupModel, dir, file, seededBytes } from './support'

/** Everything a reader can do with the repository: open, list, check every object. */
async function readEverything(
  store: MemoryStore,
  masterKey: Uint8Array,
): Promise<'clean' | 'detected'> {
  try {
    const repo = await openRepository(store, masterKey)
    await readWorkspaceRecord(repo, 'ws-1')
    const workspace = await openWorkspace(repo, 'ws-1')
    const report = await checkWorkspace(workspace, { readPacks: true })
    // A deleted restore point leaves no trace in the repository itself; the desktop knows which
    // restore points it made, as this count stands for.
    if (!report.ok || report.unindexedPacks.length > 0 || report.snapshots.length !== 1) {
      return 'detected'
    }
    return 'clean'
  } catch (error) {
    if (error instanceof CairnError) return 'detected'
    throw error
  }
}

async function smallRepository() {
  const store = new MemoryStore()
  const masterKey = generateMasterKey()
  const repo = await initRepository(store, masterKey)
  const workspace = await openWorkspace(repo, 'ws-1', { create: true })
  const writer = await createSnapshotWriter(workspace)
  const tree = dir({
    'a.txt': file(
      Buffer.from(
        'hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello hello',
      ),
    ),
    sub: dir({ b: file(seededBytes('b', 300)) }),
  })
  const root = await backupModel(writer, tree)
  const snapshot = await writer.commit({
    trigger: 'manual',
    paths: ['/w'],
    hostname: 'h',
    tree: root,
  })
  return { store, masterKey, snapshot }
}

describe('damage detection', () => {
  it('detects a change of any single byte of any stored object', async () => {
    const { store, masterKey } = await smallRepository()
    expect(await readEverything(store, masterKey)).toBe('clean')
    const keys = [...store.objects.keys()]
    let positions = 0
    for (const key of keys) {
      const original = store.objects.get(key)!
      for (let position = 0; position < original.length; position++) {
        for (const flip of position % 7 === 0 ? [0x01, 0x80] : [0x01]) {
          const damaged = Uint8Array.from(original)
          damaged[position]! ^= flip
          store.objects.set(key, damaged)
          const outcome = await readEverything(store, masterKey)
          if (outcome !== 'detected')
            throw new Error(`byte ${position} of ${key} (xor ${flip}) went unnoticed`)
        }
        positions++
      }
      store.objects.set(key, original)
    }
    expect(positions).toBeGreaterThan(1000)
    expect(await readEverything(store, masterKey)).toBe('clean')
  }, 120_000)

  it('detects truncated and missing objects', async () => {
    const { store, masterKey } = await smallRepository()
    for (const key of [...store.objects.keys()]) {
      const original = store.objects.get(key)!
      store.objects.set(key, original.subarray(0, original.length - 1))
      expect(await readEverything(store, masterKey)).toBe('detected')
      store.objects.delete(key)
      expect(await readEverything(store, masterKey)).toBe('detected')
      store.objects.set(key, original)
    }
  })

  it('names the pack and blob of damaged file content and the files that need it', async () => {
    const { store, masterKey, snapshot } = await smallRepository()
    const workspace = await openWorkspace(await openRepository(store, masterKey), 'ws-1')
    const reader = await openSnapshotReader(workspace)
    const [sub] = (await reader.readTree(snapshot.snapshot.tree)).filter((e) => e.type === 'dir')
    const [b] = await reader.readTree(sub!.subtree!)
    const location = reader.locate(b!.content![0]!)
    const packKey = workspace.paths.pack(location.pack.id)
    const bytes = Uint8Array.from(store.objects.get(packKey)!)
    bytes[location.offset + 20]! ^= 0x04
    store.objects.set(packKey, bytes)

    const fresh = await openSnapshotReader(workspace)
    let error: unknown
    try {
      for await (const part of fresh.readFileContent(b!.content!)) void part
    } catch (caught) {
      error = caught
    }
    expect(isDamage(error)).toBe(true)
    const damage = error as CairnError
    expect(damage.message).toContain(location.pack.id.slice(0, 8))
    expect(damage.message).toContain(location.id.slice(0, 8))
    expect(damage.details).toMatchObject({ packId: location.pack.id, blobId: location.id })

    const report = await checkWorkspace(workspace)
    expect(report.ok).toBe(false)
    expect(report.problems).toEqual([
      expect.objectContaining({ object: `blob/${location.id}`, paths: ['sub/b'] }),
    ])
  })
})
