import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  browse,
  localSource,
  parseDisplayPath,
  preflightRestoreTarget,
  runBackup,
  runRestore,
  runVerify,
  type Source,
} from '../../../src/main/core/backup'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import {
  displayName,
  findUnindexedPacks,
  initRepository,
  loadIndex,
  openSnapshotReader,
  openWorkspace,
  type Workspace,
} from '../../../src/main/core/repo'
import { FolderStore } from '../../../src/main/core/storage/folder-store'
import {
  buildRandomTree,
  compareTrees,
  describeTree,
  join,
  seededBytes,
  setTimes,
} from '../../support/backup-trees'

let base: string
beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-backup-unit-'))
})
afterAll(() => fs.rmSync(base, { recursive: true, force: true }))

let counter = 0
async function freshWorkspace(): Promise<Workspace> {
  const dir = path.join(base, `repo-${counter++}`)
  fs.mkdirSync(dir)
  const repo = await initRepository(new FolderStore(dir), generateMasterKey())
  return openWorkspace(repo, 'ws', { create: true })
}

function freshDir(name: string): string {
  return path.join(base, `${name}-${counter++}`)
}

async function snapshotCount(workspace: Workspace): Promise<number> {
  const reader = await openSnapshotReader(workspace)
  return (await reader.listSnapshots()).snapshots.length
}

describe('backup from a local folder, restore into a local folder', () => {
  for (const seed of [1, 2, 3]) {
    it(`round-trips a generated tree bit for bit (seed ${seed})`, async () => {
      const workspace = await freshWorkspace()
      const src = freshDir('src')
      buildRandomTree(src, seed, { files: 50, dirs: 10, bigFile: (2 + seed) * 1024 * 1024 })
      const before = describeTree(src)
      const source = localSource()
      const progress: string[] = []
      const result = await runBackup({
        workspace,
        source,
        paths: [src],
        trigger: 'manual',
        onProgress: (p) => progress.push(p.phase),
      })
      expect(result.warnings).toEqual([])
      expect(result.snapshot.snapshot.paths).toEqual([src])
      expect(result.stats.files).toBe([...before.values()].filter((n) => n.type === 'file').length)
      expect(progress[0]).toBe('listing')
      expect(progress.at(-1)).toBe('committing')
      expect(new Set(progress)).toEqual(
        new Set(['listing', 'reading', 'uploading', 'writing index', 'committing']),
      )
      // The source itself did not change while it was backed up.
      expect(compareTrees(before, describeTree(src), { owners: true })).toEqual([])

      const out = freshDir('out')
      const restored = await runRestore({
        workspace,
        snapshotId: result.snapshot.id,
        target: { kind: 'local', dir: out },
      })
      expect(restored.refused).toEqual([])
      expect(compareTrees(before, describeTree(out), { mtime: 'us', owners: true })).toEqual([])
      // Holes stay holes.
      const sparse = fs.statSync(path.join(out, 'sparse.img'))
      expect(sparse.blocks * 512).toBeLessThan(sparse.size / 2)

      const verify = await runVerify({ workspace, snapshotId: 'latest' })
      expect(verify.ok).toBe(true)
      expect(verify.dataBlobsChecked).toBe(verify.dataBlobs)
    })
  }

  it('restores parts, browses and reports conflicts before overwriting', async () => {
    const workspace = await freshWorkspace()
    const src = freshDir('src')
    buildRandomTree(src, 7, { files: 20, dirs: 4, bigFile: 1024 * 1024 })
    fs.mkdirSync(path.join(src, 'only'), { recursive: true })
    fs.mkdirSync(path.join(src, 'only/inner'))
    fs.writeFileSync(path.join(src, 'only/inner/deep.txt'), 'deep\n')
    fs.writeFileSync(path.join(src, 'only/top.txt'), 'top\n')
    const weird = Buffer.concat([Buffer.from('we ird\n'), Buffer.from([0xff])])
    fs.writeFileSync(join(src, weird), 'weird\n')
    await runBackup({ workspace, source: localSource(), paths: [src], trigger: 'manual' })
    const reader = await openSnapshotReader(workspace)

    const top = await browse({ reader, snapshotId: 'latest' })
    const names = top.entries.map((e) => e.name)
    expect(names).toContain('only')
    expect(names).toContain(displayName(weird))
    expect(top.self?.type).toBe('dir')
    const inner = await browse({ reader, snapshotId: 'latest', path: 'only' })
    expect(inner.entries.map((e) => [e.name, e.type])).toEqual([
      ['inner', 'dir'],
      ['top.txt', 'file'],
    ])
    // The names browse shows can be given back, even for bytes that are not UTF-8.
    expect(parseDisplayPath(displayName(weird))).toEqual([weird])
    const file = await browse({ reader, snapshotId: 'latest', path: `${src}/only/top.txt` })
    expect(file.self).toMatchObject({ type: 'file', size: 4 })
    await expect(browse({ reader, snapshotId: 'latest', path: 'nope' })).rejects.toMatchObject({
      code: 'not_found',
    })

    const out = freshDir('part')
    const partial = await runRestore({
      workspace,
      snapshotId: 'latest',
      include: [
        'only/inner',
        `${src}/${weird.toString('latin1').includes('\n') ? displayName(weird) : ''}`,
      ],
      target: { kind: 'local', dir: out },
    })
    expect(partial.files).toBe(2)
    expect(fs.readFileSync(path.join(out, 'only/inner/deep.txt'), 'utf8')).toBe('deep\n')
    expect(fs.existsSync(path.join(out, 'only/top.txt'))).toBe(false)
    expect(fs.readFileSync(join(out, weird), 'utf8')).toBe('weird\n')
    await expect(
      runRestore({
        workspace,
        snapshotId: 'latest',
        include: ['nope'],
        target: { kind: 'local', dir: out },
      }),
    ).rejects.toMatchObject({ code: 'not_found' })

    // A non-empty target: refused, the preflight names what would be replaced, overwrite works.
    await expect(
      runRestore({ workspace, snapshotId: 'latest', target: { kind: 'local', dir: out } }),
    ).rejects.toMatchObject({ code: 'conflict' })
    const preflight = await preflightRestoreTarget({
      workspace,
      snapshotId: 'latest',
      target: { kind: 'local', dir: out },
    })
    expect(preflight.targetState).toBe('non-empty')
    expect(preflight.conflicts.map((c) => c.path).sort()).toEqual(
      ['only/inner/deep.txt', displayName(weird)].sort(),
    )
    fs.symlinkSync('/tmp', path.join(out, 'sneaky'))
    fs.writeFileSync(path.join(out, 'only/inner/deep.txt'), 'changed\n')
    const full = await runRestore({
      workspace,
      snapshotId: 'latest',
      overwrite: true,
      target: { kind: 'local', dir: out },
    })
    expect(full.refused).toEqual([])
    expect(fs.readFileSync(path.join(out, 'only/inner/deep.txt'), 'utf8')).toBe('deep\n')
    expect(fs.readlinkSync(path.join(out, 'sneaky'))).toBe('/tmp') // not ours: left alone

    // A symlink at the target where the restore point has a folder: never followed, never
    // replaced; the folder and everything below it are refused (as over SSH).
    const outside = freshDir('outside')
    fs.mkdirSync(outside)
    fs.rmSync(path.join(out, 'only'), { recursive: true })
    fs.symlinkSync(outside, path.join(out, 'only'))
    const preflightLinked = await preflightRestoreTarget({
      workspace,
      snapshotId: 'latest',
      target: { kind: 'local', dir: out },
    })
    expect(preflightLinked.blockedBySymlink.sort()).toEqual(
      ['only/inner', 'only/inner/deep.txt', 'only/top.txt'].sort(),
    )
    const linked = await runRestore({
      workspace,
      snapshotId: 'latest',
      overwrite: true,
      target: { kind: 'local', dir: out },
    })
    expect(linked.refused.map((r) => [r.path, r.reason]).sort()).toEqual(
      [
        ['only', 'through-symlink'],
        ['only/inner', 'through-symlink'],
        ['only/inner/deep.txt', 'through-symlink'],
        ['only/top.txt', 'through-symlink'],
      ].sort(),
    )
    expect(fs.readdirSync(outside)).toEqual([])
    expect(fs.readlinkSync(path.join(out, 'only'))).toBe(outside)
  })
})

describe('incremental backups', () => {
  it('reads only new and changed files, reuses everything else, and restores each point', async () => {
    const workspace = await freshWorkspace()
    const src = freshDir('src')
    buildRandomTree(src, 11, { files: 40, dirs: 6, bigFile: 3 * 1024 * 1024 })
    fs.writeFileSync(path.join(src, 'mode.txt'), 'mode\n')
    const source = localSource()
    const first = await runBackup({ workspace, source, paths: [src], trigger: 'manual' })
    const firstTree = describeTree(src)
    const readBefore = source.stats.filesRead

    // Unchanged: nothing read, nothing stored, the same tree.
    const same = await runBackup({ workspace, source, paths: [src], trigger: 'manual' })
    expect(source.stats.filesRead).toBe(readBefore)
    expect(same.stats.filesRead).toBe(0)
    expect(same.stats.addedPacks).toBe(0)
    expect(same.snapshot.snapshot.tree).toBe(first.snapshot.snapshot.tree)
    expect(same.snapshot.snapshot.parent).toBe(first.snapshot.id)

    // Change: one file rewritten with the same size and mtime (only ctime tells), one appended,
    // one new, one deleted, one chmod-ed.
    const big = path.join(src, 'big.bin')
    const { mtimeNs } = fs.statSync(big, { bigint: true })
    const data = fs.readFileSync(big)
    data[12345] = data[12345]! ^ 0xff
    fs.writeFileSync(big, data)
    setTimes([{ path: Buffer.from(big), ns: mtimeNs }])
    fs.appendFileSync(path.join(src, 'setuid-tool'), 'echo more\n')
    fs.writeFileSync(path.join(src, 'brand-new.txt'), 'new\n')
    fs.rmSync(path.join(src, 'sparse.img'))
    fs.chmodSync(path.join(src, 'mode.txt'), 0o600)
    const changed = await runBackup({ workspace, source, paths: [src], trigger: 'manual' })
    expect(changed.stats.filesRead).toBe(4) // big.bin, setuid-tool, brand-new.txt, mode.txt
    expect(source.stats.filesRead - readBefore).toBe(4)
    // ~one chunk of big.bin plus the small ones (and trees), not the whole 3 MiB.
    expect(changed.stats.addedBytes).toBeLessThan(1024 * 1024)

    const outFirst = freshDir('first')
    await runRestore({
      workspace,
      snapshotId: first.snapshot.id,
      target: { kind: 'local', dir: outFirst },
    })
    expect(compareTrees(firstTree, describeTree(outFirst), { mtime: 'us' })).toEqual([])
    const outLast = freshDir('last')
    await runRestore({ workspace, snapshotId: 'latest', target: { kind: 'local', dir: outLast } })
    expect(compareTrees(describeTree(src), describeTree(outLast), { mtime: 'us' })).toEqual([])
  })

  it('after a restore in place, strict mode reads everything again and mtime mode nothing', async () => {
    const workspace = await freshWorkspace()
    const src = freshDir('src')
    buildRandomTree(src, 12, { files: 20, dirs: 3, bigFile: 1024 * 1024 })
    // A local restore keeps microseconds (Node's limit): make the times exact to the microsecond.
    setTimes(
      [...describeTree(src)]
        .filter(([rel]) => rel !== '')
        .map(([rel, n]) => ({
          path: join(src, Buffer.from(rel, 'hex')),
          ns: n.mtimeNs - (n.mtimeNs % 1000n),
        })),
    )
    const source = localSource()
    const first = await runBackup({ workspace, source, paths: [src], trigger: 'manual' })
    fs.rmSync(src, { recursive: true, force: true })
    await runRestore({ workspace, snapshotId: 'latest', target: { kind: 'local', dir: src } })
    const nonEmpty = [...describeTree(src).values()].filter((n) => n.type === 'file' && n.size > 0)
    const loose = await runBackup({
      workspace,
      source,
      paths: [src],
      trigger: 'manual',
      parent: first.snapshot.id,
      changeDetection: 'mtime',
    })
    expect(loose.stats.filesRead).toBe(0)
    // Same parent, strict: every ctime and inode differs after the restore.
    const strict = await runBackup({
      workspace,
      source,
      paths: [src],
      trigger: 'manual',
      parent: first.snapshot.id,
    })
    expect(strict.stats.filesRead).toBe(new Set(nonEmpty.map((n) => n.ino)).size)
    expect(strict.snapshot.snapshot.tree).toBe(loose.snapshot.snapshot.tree)
  })
})

describe('interrupted backups', () => {
  it('a cancelled backup leaves no restore point; the next one reuses what was stored', async () => {
    const workspace = await freshWorkspace()
    const src = freshDir('src')
    fs.mkdirSync(src)
    for (let i = 0; i < 6; i++)
      fs.writeFileSync(path.join(src, `f${i}.bin`), seededBytes(i, 2 << 20))
    const controller = new AbortController()
    const error = await runBackup({
      workspace,
      source: localSource(),
      paths: [src],
      trigger: 'manual',
      writer: { packSize: 512 * 1024 },
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesDone > 6 << 20) controller.abort()
      },
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'cancelled' })
    expect(await snapshotCount(workspace)).toBe(0)
    // Every pack it stored was indexed on the way out (nothing orphaned), so it is reused.
    const { index } = await loadIndex(workspace)
    expect(index.packCount).toBeGreaterThan(0)
    expect(await findUnindexedPacks(workspace, index)).toEqual([])
    const next = await runBackup({
      workspace,
      source: localSource(),
      paths: [src],
      trigger: 'manual',
    })
    expect(next.stats.addedBytes).toBeLessThan(12 << 20)
    expect(await snapshotCount(workspace)).toBe(1)
    const out = freshDir('out')
    await runRestore({ workspace, snapshotId: 'latest', target: { kind: 'local', dir: out } })
    expect(compareTrees(describeTree(src), describeTree(out), { mtime: 'us' })).toEqual([])
  })

  it('flags a file that changes while it is read, and reads it again next time', async () => {
    const workspace = await freshWorkspace()
    const src = freshDir('src')
    fs.mkdirSync(src)
    const growing = path.join(src, 'growing.log')
    fs.writeFileSync(growing, seededBytes('g', 4 << 20))
    fs.writeFileSync(path.join(src, 'calm.txt'), 'calm\n')
    const inner = localSource()
    // The real local source; after the first chunk of the log, something appends to it.
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
                    if (first) fs.appendFileSync(growing, 'appended while read\n')
                    first = false
                  }
                })(),
              }
            }
          },
        }
      },
    }
    const result = await runBackup({ workspace, source, paths: [src], trigger: 'manual' })
    expect(result.stats.filesChangedWhileReading).toBe(1)
    expect(result.snapshot.snapshot.stats.filesChangedWhileReading).toBe(1)
    expect(result.warnings).toEqual([
      expect.objectContaining({ path: expect.stringContaining('growing.log') as unknown }),
    ])
    expect(result.snapshot.snapshot.warnings?.[0]?.message).toContain('Changed while it was read')
    const reader = await openSnapshotReader(workspace)
    const listing = await browse({ reader, snapshotId: 'latest' })
    expect(listing.entries.find((e) => e.name === 'growing.log')?.changedWhileReading).toBe(true)
    const again = await runBackup({ workspace, source: inner, paths: [src], trigger: 'manual' })
    expect(again.stats.filesRead).toBe(1)
    expect(again.stats.filesChangedWhileReading).toBe(0)
  })

  it('a missing path fails before anything is written', async () => {
    const workspace = await freshWorkspace()
    const store = workspace.store
    const putsBefore = store.requests.put
    const error = await runBackup({
      workspace,
      source: localSource(),
      paths: [path.join(base, 'does-not-exist')],
      trigger: 'manual',
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'not_found' })
    expect((error as Error).message).toContain('does-not-exist does not exist on this computer')
    expect(store.requests.put).toBe(putsBefore)
    execFileSync('true')
  })
})
