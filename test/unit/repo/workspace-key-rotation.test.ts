import { describe, expect, it } from 'vitest'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import { generateDataKey, wrapDataKey } from '../../../src/main/core/keys/workspace-key-file'
import {
  createSnapshotWriter,
  initRepository,
  openRepository,
  openSnapshotReader,
  openWorkspace,
  rotateWorkspaceKey,
  type Workspace,
} from '../../../src/main/core/repo'
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

async function backup(workspace: Workspace, tree: ModelNode) {
  const writer = await createSnapshotWriter(workspace)
  const { snapshot } = await writer.commit({
    trigger: 'manual',
    paths: ['/'],
    hostname: 'h',
    tree: await backupModel(writer, tree),
  })
  return snapshot
}

async function restoresAll(
  workspace: Workspace,
  points: { tree: string; model: ModelNode }[],
): Promise<void> {
  const reader = await openSnapshotReader(workspace)
  for (const point of points) {
    expect(normalize(await restoreModel(reader, point.tree))).toEqual(normalize(point.model))
  }
}

const tree = (seed: string) =>
  dir({ a: file(seededBytes(seed, 80_000)), sub: dir({ b: file(seededBytes(`${seed}b`, 3000)) }) })

describe('workspace key rotation, interrupted', () => {
  it('a key file PUT that fails changes nothing: backups and restores go on with the old key', async () => {
    const store = new MemoryStore()
    const key = generateMasterKey()
    const repo = await initRepository(store, key)
    const workspace = await openWorkspace(repo, 'ws', { create: true })
    const first = await backup(workspace, tree('one'))

    store.failWhen = (operation, name) => operation === 'put' && name.includes('/keys/')
    await expect(rotateWorkspaceKey(workspace)).rejects.toBeInstanceOf(CairnError)
    store.failWhen = null
    expect(store.keysUnder('workspaces/ws/keys/')).toEqual(['workspaces/ws/keys/00000001'])
    expect(workspace.keys.versions).toEqual([1])

    const second = await backup(workspace, tree('two'))
    expect(second.keyVersion).toBe(1)
    const reopened = await openWorkspace(await openRepository(store, key), 'ws')
    await restoresAll(reopened, [
      { tree: first.tree, model: tree('one') },
      { tree: second.tree, model: tree('two') },
    ])
    // A retry completes the rotation.
    expect(await rotateWorkspaceKey(reopened)).toBe(2)
  })

  it('a key file written and nothing else (killed before reloading) is harmless', async () => {
    const store = new MemoryStore()
    const key = generateMasterKey()
    const repo = await initRepository(store, key)
    const workspace = await openWorkspace(repo, 'ws', { create: true })
    const first = await backup(workspace, tree('one'))

    // The rotation's only write landed; the process died before anything else.
    await store.put(
      'workspaces/ws/keys/00000002',
      wrapDataKey(key, repo.id, 'ws', generateDataKey(2)),
      { createOnly: true },
    )

    // A desktop that opened the workspace earlier keeps writing with version 1: still readable.
    const stale = await backup(workspace, tree('stale'))
    expect(stale.keyVersion).toBe(1)

    const reopened = await openWorkspace(await openRepository(store, key), 'ws')
    expect(reopened.keys.versions).toEqual([1, 2])
    const next = await backup(reopened, tree('next'))
    expect(next.keyVersion).toBe(2)
    await restoresAll(reopened, [
      { tree: first.tree, model: tree('one') },
      { tree: stale.tree, model: tree('stale') },
      { tree: next.tree, model: tree('next') },
    ])
    expect(await rotateWorkspaceKey(reopened)).toBe(3)
    expect((await backup(reopened, tree('third'))).keyVersion).toBe(3)
  })

  it('two desktops rotating at once: one wins, the other gets a conflict, nothing is lost', async () => {
    const store = new MemoryStore()
    const key = generateMasterKey()
    const repo = await initRepository(store, key)
    const a = await openWorkspace(repo, 'ws', { create: true })
    const first = await backup(a, tree('one'))
    const b = await openWorkspace(await openRepository(store, key), 'ws')
    expect(await rotateWorkspaceKey(a)).toBe(2)
    const error = await rotateWorkspaceKey(b).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CairnError)
    expect((error as CairnError).code).toBe('conflict')
    expect(store.keysUnder('workspaces/ws/keys/')).toHaveLength(2)
    const after = await backup(a, tree('after'))
    expect(after.keyVersion).toBe(2)
    await restoresAll(await openWorkspace(await openRepository(store, key), 'ws'), [
      { tree: first.tree, model: tree('one') },
      { tree: after.tree, model: tree('after') },
    ])
  })
})
