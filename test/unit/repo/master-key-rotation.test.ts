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
  type Repository,
} from '../../../src/main/core/repo'
import { readWorkspaceRecord } from '../../../src/main/core/repo/repository/repository'
import {
  readRotationRecord,
  rotateMasterKey,
  type RotationStep,
} from '../../../src/main/core/repo/repository/rotate-master'
import { CairnError } from '../../../src/shared/errors'
import { MemoryStore } from '../../support/memory-store'
import {
  backupModel,
  dir,
  file,
  normalize,
  restoreModel,
  seededBytes,
  type ModelNode,
} from './support'

const tree = (seed: string) =>
  dir({ a: file(seededBytes(seed, 50_000)), s: dir({ b: file(seededBytes(`${seed}b`, 2000)) }) })

interface Point {
  workspace: string
  tree: string
  model: ModelNode
}

/** Two workspaces, one with two key versions, three restore points. */
async function populated(store: MemoryStore, key: Uint8Array): Promise<Point[]> {
  const repo = await initRepository(store, key)
  const points: Point[] = []
  for (const [name, rotate] of [
    ['alpha', true],
    ['beta', false],
  ] as const) {
    const workspace = await openWorkspace(repo, name, { create: true })
    for (let round = 0; round < (rotate ? 2 : 1); round++) {
      if (round === 1) await rotateWorkspaceKey(workspace)
      const model = tree(`${name}${round}`)
      const writer = await createSnapshotWriter(workspace)
      const { snapshot } = await writer.commit({
        trigger: 'manual',
        paths: ['/'],
        hostname: 'h',
        tree: await backupModel(writer, model),
      })
      points.push({ workspace: name, tree: snapshot.tree, model })
    }
  }
  return points
}

async function expectAllRestore(repo: Repository, points: Point[]): Promise<void> {
  expect((await listWorkspaces(repo)).sort()).toEqual(['alpha', 'beta'])
  for (const point of points) {
    const workspace = await openWorkspace(repo, point.workspace)
    expect((await readWorkspaceRecord(repo, point.workspace)).workspace).toBe(point.workspace)
    const reader = await openSnapshotReader(workspace)
    expect(normalize(await restoreModel(reader, point.tree))).toEqual(normalize(point.model))
  }
}

async function rejection(promise: Promise<unknown>): Promise<CairnError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CairnError)
  return error as CairnError
}

describe('master key rotation', () => {
  it('re-wraps everything; the new key reads every restore point, the old one gets a clear error', async () => {
    const store = new MemoryStore()
    const oldKey = generateMasterKey()
    const newKey = generateMasterKey()
    const points = await populated(store, oldKey)
    const packsBefore = store.keysUnder('workspaces/alpha/data/').length
    const { repo, rewrapped } = await rotateMasterKey(store, oldKey, newKey, {
      host: 'laptop',
      now: () => new Date('2030-01-02T03:04:05.000Z'),
    })
    expect(rewrapped).toBe(5) // 2 registry entries, 3 key files
    await expectAllRestore(repo, points)
    await expectAllRestore(await openRepository(store, newKey), points)
    expect(store.keysUnder('workspaces/alpha/data/')).toHaveLength(packsBefore)

    const error = await rejection(openRepository(store, oldKey))
    expect(error.code).toBe('unauthorized')
    expect(error.message).toMatch(
      /was rotated on laptop at 2030-01-02T03:04:05.000Z.*Import the new recovery key/,
    )
    expect((await readRotationRecord(store))?.finished).toBe('2030-01-02T03:04:05.000Z')
    // Backups go on with the new key.
    const ws = await openWorkspace(repo, 'beta')
    const writer = await createSnapshotWriter(ws)
    const model = tree('after')
    const { snapshot } = await writer.commit({
      trigger: 'manual',
      paths: ['/'],
      hostname: 'h',
      tree: await backupModel(writer, model),
    })
    await expectAllRestore(await openRepository(store, newKey), [
      ...points,
      { workspace: 'beta', tree: snapshot.tree, model },
    ])
    // A mistaken rotation can be undone with the kept old key.
    await rotateMasterKey(store, newKey, oldKey, { host: 'laptop' })
    await expectAllRestore(await openRepository(store, oldKey), points)
  })

  const steps: RotationStep[] = ['record', 'rewrap', 'config', 'recheck', 'finished']
  it.each(steps)('a kill after step "%s" loses nothing; a retry finishes', async (step) => {
    const store = new MemoryStore()
    const oldKey = generateMasterKey()
    const newKey = generateMasterKey()
    const points = await populated(store, oldKey)
    await expect(
      rotateMasterKey(store, oldKey, newKey, {
        host: 'laptop',
        onStep: (s) => {
          if (s === step) throw new Error('killed')
        },
      }),
    ).rejects.toThrow('killed')
    // The rotating desktop holds both keys: it reads everything in between.
    const flipped = step !== 'record' && step !== 'rewrap'
    const inBetween = await openRepository(store, flipped ? newKey : oldKey)
    inBetween.previousMasterKey = flipped ? oldKey : newKey
    await expectAllRestore(inBetween, points)
    // Another desktop with the old key is told what happened, not "damaged".
    if (step === 'record') {
      // Nothing re-wrapped yet: the old key still reads everything.
      await expectAllRestore(await openRepository(store, oldKey), points)
    } else if (step !== 'finished') {
      const error = await rejection(
        openRepository(store, oldKey).then((repo) => openWorkspace(repo, 'alpha')),
      )
      expect(error.code).toBe('unauthorized')
      expect(error.message).toMatch(/rotat.* on laptop/)
    }
    const { repo } = await rotateMasterKey(store, oldKey, newKey, { host: 'laptop' })
    await expectAllRestore(repo, points)
    await expectAllRestore(await openRepository(store, newKey), points)
    expect((await rejection(openRepository(store, oldKey))).message).toMatch(/was rotated/)
  })

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'a store that fails after %i writes: retrying recovers everything',
    async (writes) => {
      const store = new MemoryStore()
      const oldKey = generateMasterKey()
      const newKey = generateMasterKey()
      const points = await populated(store, oldKey)
      let left = writes
      store.failWhen = (operation) => operation === 'put' && left-- <= 0
      await rotateMasterKey(store, oldKey, newKey, { host: 'h' }).catch((e: unknown) => {
        expect(e).toBeInstanceOf(CairnError)
      })
      store.failWhen = null
      const { repo } = await rotateMasterKey(store, oldKey, newKey, { host: 'h' })
      await expectAllRestore(repo, points)
    },
  )

  it('a rotation stopped before the config resumes; a third key is refused; the same key is refused', async () => {
    const store = new MemoryStore()
    const oldKey = generateMasterKey()
    const newKey = generateMasterKey()
    const points = await populated(store, oldKey)
    store.failWhen = (operation, key) => operation === 'put' && key === 'config'
    await expect(rotateMasterKey(store, oldKey, newKey, { host: 'h' })).rejects.toThrow()
    store.failWhen = null
    expect(
      (await rejection(rotateMasterKey(store, generateMasterKey(), newKey, { host: 'h' }))).code,
    ).toBe('unauthorized')
    expect((await rejection(rotateMasterKey(store, oldKey, oldKey, { host: 'h' }))).code).toBe(
      'invalid_input',
    )
    const { repo } = await rotateMasterKey(store, oldKey, newKey, { host: 'h' })
    await expectAllRestore(repo, points)
  })
})
