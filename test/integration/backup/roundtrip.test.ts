import fs from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  browse,
  preflightRestoreTarget,
  runBackup,
  runRestore,
  runVerify,
  sshSource,
  type BackupResult,
} from '../../../src/main/core/backup'
import { displayPath, openSnapshotReader } from '../../../src/main/core/repo'
import type { SshConnection } from '../../../src/main/core/ssh/connection'
import {
  buildRandomTree,
  compareTrees,
  describeTree,
  type NodeInfo,
} from '../../support/backup-trees'
import { createTestVm, type TestVm } from '../../support/remote-vm'
import { hostPath } from '../../support/tree-fixture'
import { createRepo, scratch, type RepoKind, type TestRepo } from './harness'

// A generated workspace on one local-cloud VM, backed up over SSH into s3rver and into a folder,
// restored into a fresh VM over SSH and into a local folder: bit for bit, with modes, mtimes
// (nanoseconds over SSH, microseconds locally: Node's limit), symlinks and hard links.

const WS = '/home/dev/ws'
let source: TestVm
let sourceConn: SshConnection
let expected: Map<string, NodeInfo>
const cleanup: (() => unknown)[] = []

beforeAll(async () => {
  source = await createTestVm('backup-roundtrip-src')
  buildRandomTree(hostPath(source.homeDir, WS), 42, { owner: source.dev, files: 80, dirs: 14 })
  expected = describeTree(hostPath(source.homeDir, WS))
  sourceConn = await source.connect()
})

afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn()
  await sourceConn?.close()
  await source?.destroy()
})

describe.each<RepoKind>(['s3', 'folder'])('over SSH into %s', (kind) => {
  let repo: TestRepo
  let target: TestVm
  let targetConn: SshConnection
  let backup: BackupResult

  beforeAll(async () => {
    repo = await createRepo(kind, `roundtrip-${kind}`)
    target = await createTestVm(`backup-roundtrip-dst-${kind}`)
    targetConn = await target.connect()
    cleanup.push(
      () => repo.destroy(),
      () => targetConn.close(),
      () => target.destroy(),
    )
  })

  it('backs up the workspace', async () => {
    backup = await runBackup({
      workspace: repo.workspace,
      source: sshSource(sourceConn),
      paths: [WS],
      trigger: 'manual',
    })
    expect(backup.warnings).toEqual([])
    const files = [...expected.values()].filter((n) => n.type === 'file')
    expect(backup.stats.files).toBe(files.length)
    expect(backup.snapshot.snapshot.hostname).not.toBe('')
    expect(backup.snapshot.snapshot.stats.bytes).toBe(files.reduce((sum, f) => sum + f.size, 0))
  })

  it('restores into a fresh VM over SSH, bit for bit with ns mtimes', async () => {
    const result = await runRestore({
      workspace: repo.workspace,
      snapshotId: backup.snapshot.id,
      target: { kind: 'ssh', connection: targetConn, dir: WS },
    })
    expect(result.refused).toEqual([])
    const restored = describeTree(hostPath(target.homeDir, WS))
    const sameIds = target.dev.uid === source.dev.uid && target.dev.gid === source.dev.gid
    expect(compareTrees(expected, restored, { mtime: 'ns', owners: sameIds })).toEqual([])
  })

  it('the first backup on the new VM reads nothing with mtime change detection', async () => {
    const again = await runBackup({
      workspace: repo.workspace,
      source: sshSource(targetConn),
      paths: [WS],
      trigger: 'manual',
      parent: backup.snapshot.id,
      changeDetection: 'mtime',
    })
    expect(again.stats.filesRead).toBe(0)
    expect(again.stats.addedPacks).toBeLessThanOrEqual(1) // new trees (ctimes and inodes)
  })

  it('restores into a local folder', async () => {
    const dir = scratch(`roundtrip-local-${kind}`)
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }))
    const out = `${dir}/ws`
    const result = await runRestore({
      workspace: repo.workspace,
      snapshotId: backup.snapshot.id,
      target: { kind: 'local', dir: out },
    })
    expect(result.refused).toEqual([])
    expect(compareTrees(expected, describeTree(out), { mtime: 'us', owners: true })).toEqual([])
  })

  it('verifies, browses, and restores parts over SSH after a preflight', async () => {
    const verify = await runVerify({ workspace: repo.workspace, snapshotId: backup.snapshot.id })
    expect(verify).toMatchObject({ ok: true, problems: [] })
    expect(verify.dataBlobsChecked).toBe(verify.dataBlobs)

    const reader = await openSnapshotReader(repo.workspace)
    const top = await browse({ reader, snapshotId: backup.snapshot.id })
    expect(top.entries.map((e) => e.name)).toContain('big.bin')
    const link = top.entries.find((e) => e.name === 'absolute-link')
    expect(link).toMatchObject({ type: 'symlink', target: '/etc/hostname' })

    // Into the already restored tree: the preflight names what would be replaced.
    const include = ['big.bin', 'empty-dir', `${WS}/setuid-tool`]
    const preflight = await preflightRestoreTarget({
      workspace: repo.workspace,
      snapshotId: backup.snapshot.id,
      include,
      target: { kind: 'ssh', connection: targetConn, dir: WS },
    })
    expect(preflight.targetState).toBe('non-empty')
    const underEmptyDir = [...expected]
      .filter(
        ([rel, n]) =>
          Buffer.from(rel, 'hex').toString('latin1').startsWith('empty-dir/') && n.type !== 'dir',
      )
      .map(([rel]) =>
        displayPath(
          Buffer.from(rel, 'hex')
            .toString('latin1')
            .split('/')
            .map((p) => Buffer.from(p, 'latin1')),
        ),
      )
    expect(preflight.conflicts.map((c) => c.path).sort()).toEqual(
      ['big.bin', 'setuid-tool', ...underEmptyDir].sort(),
    )
    await expect(
      runRestore({
        workspace: repo.workspace,
        snapshotId: backup.snapshot.id,
        include,
        target: { kind: 'ssh', connection: targetConn, dir: WS },
      }),
    ).rejects.toMatchObject({ code: 'conflict' })
    fs.writeFileSync(hostPath(target.homeDir, `${WS}/big.bin`), 'clobbered')
    const partial = await runRestore({
      workspace: repo.workspace,
      snapshotId: backup.snapshot.id,
      include,
      overwrite: true,
      target: { kind: 'ssh', connection: targetConn, dir: WS },
    })
    expect(partial.files).toBeGreaterThanOrEqual(2)
    // A partial restore leaves the target folder's own metadata alone (writing into it changed it).
    const restored = describeTree(hostPath(target.homeDir, WS))
    expect(compareTrees(expected, restored, { mtime: 'ns', ignore: (rel) => rel === '' })).toEqual(
      [],
    )
  })
})
