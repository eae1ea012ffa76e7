import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  browse,
  runBackup,
  runRestore,
  sshSource,
  type Source,
} from '../../../src/main/core/backup'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import { openRepository, openSnapshotReader } from '../../../src/main/core/repo'
import type { SshConnection } from '../../../src/main/core/ssh/connection'
import { CairnError } from '../../../src/shared/errors'
import { compareTrees, describeTree, seededBytes } from '../../support/backup-trees'
import { createTestVm, type TestVm } from '../../support/remote-vm'
import { hostPath } from '../../support/tree-fixture'
import { createRepo, scratch, type TestRepo } from './harness'

const WS = '/home/dev/ws'
let vm: TestVm
let conn: SshConnection
let repo: TestRepo
let local: string
const cleanup: (() => unknown)[] = []

function own(p: string) {
  execFileSync('chown', ['-R', '-h', `${vm.dev.uid}:${vm.dev.gid}`, p])
}

beforeAll(async () => {
  vm = await createTestVm('backup-edge')
  conn = await vm.connect()
  repo = await createRepo('s3', 'edge')
  local = hostPath(vm.homeDir, WS)
  fs.mkdirSync(path.join(local, 'src/deep'), { recursive: true })
  for (let i = 0; i < 30; i++) {
    fs.writeFileSync(
      path.join(local, 'src', `file-${i}.ts`),
      `export const n${i} = ${i}\n`.repeat(50 + i),
    )
  }
  fs.writeFileSync(path.join(local, 'src/deep/data.bin'), seededBytes('data', 3 << 20))
  fs.writeFileSync(path.join(local, 'growing.log'), seededBytes('log', 24 << 20))
  own(local)
})

afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn()
  repo?.destroy()
  await conn?.close()
  await vm?.destroy()
})

describe('incremental backups over SSH', () => {
  it('reads only new and changed files; an unchanged workspace adds no packs', async () => {
    const source = sshSource(conn)
    const first = await runBackup({
      workspace: repo.workspace,
      source,
      paths: [WS],
      trigger: 'manual',
    })
    expect(first.stats.filesRead).toBe(32)
    expect(source.stats.reads).toBeGreaterThanOrEqual(1)

    const same = await runBackup({
      workspace: repo.workspace,
      source,
      paths: [WS],
      trigger: 'manual',
    })
    expect(same.stats.filesRead).toBe(0)
    expect(same.stats.addedPacks).toBe(0)
    expect(same.stats.addedBlobs).toBe(0)
    expect(same.snapshot.snapshot.tree).toBe(first.snapshot.snapshot.tree)

    fs.appendFileSync(path.join(local, 'src/file-3.ts'), '// edited\n')
    fs.writeFileSync(path.join(local, 'src/deep/new.ts'), 'export {}\n')
    fs.rmSync(path.join(local, 'src/file-7.ts'))
    const data = fs.readFileSync(path.join(local, 'src/deep/data.bin'))
    data.write('patched', 2 << 20)
    fs.writeFileSync(path.join(local, 'src/deep/data.bin'), data)
    // Only the new file (chown changes every ctime, and strict change detection would see that).
    own(path.join(local, 'src/deep/new.ts'))
    const readBefore = source.stats.filesRead
    const changed = await runBackup({
      workspace: repo.workspace,
      source,
      paths: [WS],
      trigger: 'manual',
    })
    expect(changed.stats.filesRead).toBe(3)
    expect(source.stats.filesRead - readBefore).toBe(3)
    expect(changed.stats.addedBytes).toBeLessThan(1 << 20) // one chunk of data.bin, not 3 MiB

    const out = scratch('edge-incremental')
    cleanup.push(() => fs.rmSync(out, { recursive: true, force: true }))
    await runRestore({
      workspace: repo.workspace,
      snapshotId: 'latest',
      target: { kind: 'local', dir: `${out}/ws` },
    })
    expect(compareTrees(describeTree(local), describeTree(`${out}/ws`), { mtime: 'us' })).toEqual(
      [],
    )
  })

  it('flags a file appended to while tar reads it, and reads it again next time', async () => {
    const inner = sshSource(conn)
    const growing = path.join(local, 'growing.log')
    fs.appendFileSync(growing, 'touch\n') // changed since the last backup: it will be read
    // The real SSH source; after the first chunk of the log has arrived, the log grows on the VM
    // while tar is still in the middle of it (the SSH window holds it back).
    const source: Source = {
      ...inner,
      read(requests, options) {
        const reader = inner.read(requests, options)
        return {
          summary: reader.summary,
          async *files() {
            for await (const file of reader.files()) {
              if (!file.request.path.toString().endsWith('growing.log')) {
                yield file
                continue
              }
              const content = file.content
              yield {
                ...file,
                content: (async function* () {
                  let first = true
                  for await (const chunk of content) {
                    yield chunk
                    if (first) fs.appendFileSync(growing, seededBytes('more', 1 << 20))
                    first = false
                  }
                })(),
              }
            }
          },
        }
      },
    }
    const result = await runBackup({
      workspace: repo.workspace,
      source,
      paths: [WS],
      trigger: 'manual',
    })
    expect(result.stats.filesChangedWhileReading).toBe(1)
    expect(result.snapshot.snapshot.stats.filesChangedWhileReading).toBe(1)
    expect(result.warnings.map((w) => w.path)).toEqual([`${WS}/growing.log`])
    const reader = await openSnapshotReader(repo.workspace)
    const top = await browse({ reader, snapshotId: result.snapshot.id })
    expect(top.entries.find((e) => e.name === 'growing.log')?.changedWhileReading).toBe(true)

    const again = await runBackup({
      workspace: repo.workspace,
      source: inner,
      paths: [WS],
      trigger: 'manual',
    })
    expect(again.stats.filesRead).toBe(1)
    expect(again.stats.filesChangedWhileReading).toBe(0)
  })
})

describe('clear errors, nothing lost', () => {
  it('unreadable files and folders are warnings in the restore point, not failures', async () => {
    fs.mkdirSync(path.join(local, 'locked-dir'))
    fs.writeFileSync(path.join(local, 'locked-dir/inside.txt'), 'secret\n')
    fs.writeFileSync(path.join(local, 'locked.txt'), 'no\n')
    own(path.join(local, 'locked-dir'))
    own(path.join(local, 'locked.txt'))
    // The VM user is dev (not root), so mode 000 really keeps it out.
    fs.chmodSync(path.join(local, 'locked.txt'), 0o000)
    fs.chmodSync(path.join(local, 'locked-dir'), 0o000)
    cleanup.push(() => {
      fs.chmodSync(path.join(local, 'locked-dir'), 0o755)
      fs.chmodSync(path.join(local, 'locked.txt'), 0o644)
    })
    const result = await runBackup({
      workspace: repo.workspace,
      source: sshSource(conn),
      paths: [WS],
      trigger: 'manual',
    })
    const byPath = new Map(result.warnings.map((w) => [w.path, w.message]))
    expect(byPath.get(`${WS}/locked.txt`)).toMatch(/Not backed up: .*Permission denied/)
    expect(byPath.get(`${WS}/locked-dir`)).toMatch(/Permission denied/)
    expect(result.stats.filesSkipped).toBe(1)
    expect(result.snapshot.snapshot.warnings?.map((w) => w.path).sort()).toEqual(
      [`${WS}/locked-dir`, `${WS}/locked.txt`].sort(),
    )
    const reader = await openSnapshotReader(repo.workspace)
    const top = await browse({ reader, snapshotId: result.snapshot.id })
    expect(top.entries.map((e) => e.name)).not.toContain('locked.txt')
    expect(top.entries.find((e) => e.name === 'locked-dir')?.type).toBe('dir')
    expect(top.entries.map((e) => e.name)).toContain('growing.log')
  })

  it('a missing remote path fails with not_found before anything is written', async () => {
    const before = repo.store.requests.put
    const objects = async () => {
      const keys: string[] = []
      for await (const o of repo.store.list('')) keys.push(o.key)
      return keys
    }
    const existing = await objects()
    const error = await runBackup({
      workspace: repo.workspace,
      source: sshSource(conn),
      paths: [WS, '/home/dev/no-such-folder'],
      trigger: 'manual',
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CairnError)
    expect(error).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('/home/dev/no-such-folder does not exist on') as unknown,
    })
    expect(repo.store.requests.put).toBe(before)
    expect(await objects()).toEqual(existing)
  })

  it('a wrong master key is refused before anything is written', async () => {
    const before = repo.store.requests.put
    const error = await openRepository(repo.store, generateMasterKey()).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'unauthorized' })
    expect((error as Error).message).toContain('does not open this repository')
    expect(repo.store.requests.put).toBe(before)
  })

  it('a full disk on a local restore names the file, removes it, and keeps what was complete', async () => {
    const small = scratch('edge-full')
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'cairn-backup-test', small])
    cleanup.push(() => {
      execFileSync('umount', [small])
      fs.rmSync(small, { recursive: true, force: true })
    })
    const error = await runRestore({
      workspace: repo.workspace,
      snapshotId: 'latest',
      include: ['src'],
      target: { kind: 'local', dir: `${small}/restore` },
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CairnError)
    const e = error as CairnError
    expect(e.code).toBe('storage_failed')
    expect(e.details?.reason).toBe('no_space')
    expect(e.details?.failedPath).toBe(`${small}/restore/src/deep/data.bin`)
    expect(e.message).toContain(`The disk holding ${small}/restore is full`)
    // No half-written file under a real name, no temporary file left behind.
    expect(fs.existsSync(`${small}/restore/src/deep/data.bin`)).toBe(false)
    const leftovers = execFileSync('find', [small, '-name', '*.cairn-restore-*']).toString()
    expect(leftovers).toBe('')
    // Files restored before it are complete.
    const restored = fs.readdirSync(`${small}/restore/src`).filter((n) => n.endsWith('.ts'))
    for (const name of restored) {
      expect(fs.readFileSync(`${small}/restore/src/${name}`)).toEqual(
        fs.readFileSync(path.join(local, 'src', name)),
      )
    }
  })
})
