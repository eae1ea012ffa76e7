import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import { checkRepository } from '../../../src/main/core/maintenance/check-repository'
import { checkWorkspaceRepository } from '../../../src/main/core/maintenance/check-workspace-repository'
import { damagedIndexKey, repairIndex } from '../../../src/main/core/maintenance/repair-index'
import {
  acquireLease,
  createSnapshotWriter,
  initRepository,
  loadIndex,
  openRepository,
  openSnapshotReader,
  openWorkspace,
  type Workspace,
} from '../../../src/main/core/repo'
import { FolderStore } from '../../../src/main/core/storage/folder-store'
import { CairnError } from '../../../src/shared/errors'
import { backupModel, dir, file, seededBytes } from '../repo/support'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

/** A folder repository with workspace ws-1 and two restore points sharing sub/b. */
async function twoRestorePoints() {
  const root = fs.mkdtempSync(path.join(tmpdir(), 'cairn-check-'))
  dirs.push(root)
  const store = new FolderStore(root)
  const masterKey = generateMasterKey()
  const repo = await initRepository(store, masterKey)
  const workspace = await openWorkspace(repo, 'ws-1', { create: true })
  const ids: string[] = []
  for (const round of [1, 2]) {
    const writer = await createSnapshotWriter(workspace)
    const tree = dir({
      'a.txt': file(seededBytes(`a${round}`, 5000)),
      sub: dir({ b: file(seededBytes('b', 300_000)) }),
    })
    const snapshot = await writer.commit({
      trigger: 'manual',
      paths: ['/w'],
      hostname: 'h',
      tree: await backupModel(writer, tree),
    })
    ids.push(snapshot.id)
  }
  return { root, store, masterKey, repo, workspace, ids }
}

function files(root: string, under: string): string[] {
  const base = path.join(root, under)
  if (!fs.existsSync(base)) return []
  return (fs.readdirSync(base, { recursive: true }) as string[])
    .map((p) => path.join(base, p))
    .filter((p) => fs.statSync(p).isFile())
}

async function packOfFile(workspace: Workspace, snapshotId: string, name: string) {
  const reader = await openSnapshotReader(workspace)
  const { snapshot } = await reader.loadSnapshot(snapshotId)
  const [sub] = (await reader.readTree(snapshot.tree)).filter((e) => e.type === 'dir')
  const entry = (await reader.readTree(sub!.subtree!)).find(
    (e) => Buffer.from(e.name).toString() === name,
  )!
  return reader.locate(entry.content![0]!)
}

describe('repository check', () => {
  it('finds nothing wrong in a healthy repository and reads the share of data asked for', async () => {
    const { repo, ids } = await twoRestorePoints()
    const trees = await checkRepository(repo)
    expect(trees.ok).toBe(true)
    const [ws] = trees.workspaces
    expect(ws).toMatchObject({ workspaceId: 'ws-1', ok: true, restorePoints: 2, orphanPacks: [] })
    expect(ws!.treesChecked).toBeGreaterThanOrEqual(4)
    expect(ws!.dataBlobs).toBeGreaterThan(2)
    expect(ws!.dataBlobsChecked).toBe(0)
    const all = await checkRepository(repo, { workspaceId: 'ws-1', readData: 1 })
    expect(all.ok).toBe(true)
    expect(all.workspaces[0]!.dataBlobsChecked).toBeGreaterThan(0)
    expect(all.workspaces[0]!.bytesChecked).toBeGreaterThan(300_000)
    expect(ids).toHaveLength(2)
  })

  it('reports a missing pack with every restore point and file that needs its blobs', async () => {
    const { root, workspace, ids } = await twoRestorePoints()
    const location = await packOfFile(workspace, ids[0]!, 'b')
    fs.rmSync(path.join(root, workspace.paths.pack(location.pack.id)))
    const report = await checkWorkspaceRepository(workspace)
    expect(report.ok).toBe(false)
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: 'pack', object: `pack/${location.pack.id}` }),
    )
    const missing = report.problems.find((p) => p.object === `blob/${location.id}`)
    expect(missing).toMatchObject({ kind: 'missing' })
    expect(missing!.restorePoints.sort()).toEqual([...ids].sort())
    expect(missing!.paths).toEqual(['sub/b'])
  })

  it('reports every pack missing, tree packs included, without stopping', async () => {
    const { root, workspace, ids } = await twoRestorePoints()
    for (const pack of files(root, workspace.paths.data)) fs.rmSync(pack)
    const report = await checkWorkspaceRepository(workspace, { readData: 1 })
    expect(report.ok).toBe(false)
    expect(report.problems.some((p) => p.kind === 'tree')).toBe(true)
    expect(new Set(report.problems.flatMap((p) => p.restorePoints))).toEqual(new Set(ids))
  })

  it('reports a pack whose size differs from the index', async () => {
    const { root, workspace, ids } = await twoRestorePoints()
    const location = await packOfFile(workspace, ids[0]!, 'b')
    const key = path.join(root, workspace.paths.pack(location.pack.id))
    fs.appendFileSync(key, Buffer.from('extra'))
    const report = await checkWorkspaceRepository(workspace)
    expect(report.ok).toBe(false)
    expect(report.problems.find((p) => p.object === `pack/${location.pack.id}`)?.message).toMatch(
      /bytes; the index says/,
    )
  })

  it('reports damaged data with its files when reading data back', async () => {
    const { root, workspace, ids } = await twoRestorePoints()
    const location = await packOfFile(workspace, ids[1]!, 'b')
    const key = path.join(root, workspace.paths.pack(location.pack.id))
    const bytes = fs.readFileSync(key)
    bytes[location.offset + 40]! ^= 0x10
    fs.writeFileSync(key, bytes)
    // Trees only: the data is not read, so the damage stays unseen (the index still knows it).
    expect((await checkWorkspaceRepository(workspace)).ok).toBe(true)
    const report = await checkWorkspaceRepository(workspace, { readData: 1 })
    const problem = report.problems.find((p) => p.object === `blob/${location.id}`)
    expect(problem).toMatchObject({ kind: 'data', paths: ['sub/b'] })
    expect(problem!.restorePoints.sort()).toEqual([...ids].sort())
  })

  it('lists orphan packs and repairs a lost index from the pack headers, deleting nothing', async () => {
    const { root, store, masterKey, workspace } = await twoRestorePoints()
    const packs = files(root, workspace.paths.data).length
    for (const index of files(root, workspace.paths.index)) fs.rmSync(index)
    const before = files(root, 'workspaces').length

    const broken = await checkWorkspaceRepository(workspace)
    expect(broken.ok).toBe(false)
    expect(broken.orphanPacks).toHaveLength(packs)
    expect(broken.problems.every((p) => p.kind === 'tree' || p.kind === 'missing')).toBe(true)

    const repair = await repairIndex(workspace, { holder: 'test repair', hostname: 'h' })
    expect(repair.indexed.map((p) => p.id).sort()).toEqual(
      broken.orphanPacks.map((p) => p.id).sort(),
    )
    expect(repair.failed).toEqual([])
    expect(repair.blobsAdded).toBeGreaterThan(4)
    expect(repair.indexFiles.length).toBeGreaterThan(0)
    // Only index files were added; the lease is gone again.
    expect(files(root, 'workspaces').length).toBe(before + repair.indexFiles.length)
    expect(files(root, workspace.paths.locks)).toEqual([])

    const fresh = await openWorkspace(await openRepository(store, masterKey), 'ws-1')
    const healthy = await checkWorkspaceRepository(fresh, { readData: 1 })
    expect(healthy).toMatchObject({ ok: true, orphanPacks: [], problems: [] })
    expect((await loadIndex(fresh)).index.packCount).toBe(packs)
    // A second repair finds nothing to add.
    expect((await repairIndex(fresh, { holder: 'again', hostname: 'h' })).indexed).toEqual([])
  })

  it('repairs around a damaged index file: re-indexes its packs and moves it aside', async () => {
    const { root, store, masterKey, workspace, ids } = await twoRestorePoints()
    const indexFiles = files(root, workspace.paths.index)
    for (const file of indexFiles) {
      const bytes = fs.readFileSync(file)
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01
      fs.writeFileSync(file, bytes)
    }
    const broken = await checkWorkspaceRepository(workspace)
    const indexProblems = broken.problems.filter((p) => p.kind === 'index')
    expect(indexProblems).toHaveLength(indexFiles.length)
    // The report offers the repair itself (the CLI prints the command, the app a button), so the
    // messages carry no hint of their own; a reader's error does.
    for (const p of indexProblems) {
      expect(p.message).toMatch(/^Index file [0-9a-f]{8} is damaged \(.*\)\.$/)
      expect(p.message).not.toContain('repair-index')
    }
    // Readers refuse a damaged index: a restore cannot even start.
    await expect(openSnapshotReader(workspace)).rejects.toThrow(
      /is damaged .*Indexes can be rebuilt from the packs: .*Rebuild the index \(or `cairn check --repair-index`\)/,
    )

    const repair = await repairIndex(workspace, { holder: 'test repair', hostname: 'h' })
    expect(repair.movedIndexFiles.sort()).toEqual(indexFiles.map((f) => path.basename(f)).sort())
    for (const id of repair.movedIndexFiles)
      expect(fs.existsSync(path.join(root, damagedIndexKey(workspace, id)))).toBe(true)

    const fresh = await openWorkspace(await openRepository(store, masterKey), 'ws-1')
    expect(await checkWorkspaceRepository(fresh, { readData: 1 })).toMatchObject({
      ok: true,
      problems: [],
    })
    const reader = await openSnapshotReader(fresh)
    expect((await reader.listSnapshots()).snapshots.map((s) => s.id).sort()).toEqual(
      [...ids].sort(),
    )
  })

  it('repairs only under the lease: a held lease is a conflict naming the holder', async () => {
    const { workspace } = await twoRestorePoints()
    const lease = await acquireLease(workspace, { holder: 'backup job 9', hostname: 'desk-b' })
    const error = await repairIndex(workspace, { holder: 'repair', hostname: 'h' }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(CairnError)
    expect((error as CairnError).code).toBe('conflict')
    expect((error as CairnError).message).toMatch(/backup job 9 on desk-b/)
    await lease.release()
  })
})
