import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RestorePoint } from '../../../src/shared/domain/backup'
import { createTestVm, type TestVm } from '../../support/remote-vm'
import { buildTree, hostPath, join, sha256, walk } from '../../support/tree-fixture'
import { ensureCliBuilt, keychainEnv, runCairn, s3Repo, sshFlagsFor } from './cli-harness'

// The "done when": `cairn backup --from ssh://…` into S3 and into a folder, then
// `cairn restore latest --target ssh://…` into a fresh VM gives bit-identical files with modes,
// mtimes and symlinks.

let source: TestVm
const fresh: TestVm[] = []
let dir: string
let sourceFlags: string[]
const keychain = keychainEnv()
const SOURCE_PATH = '/home/dev/work'

beforeAll(async () => {
  await ensureCliBuilt()
  dir = fs.mkdtempSync(path.join(tmpdir(), 'cairn-cli-it-'))
  source = await createTestVm('cli-source')
  buildTree(hostPath(source.homeDir, SOURCE_PATH), source.dev)
  sourceFlags = sshFlagsFor(source, dir)
})

afterAll(async () => {
  await source?.destroy()
  await Promise.all(fresh.map((vm) => vm.destroy()))
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

/** The source tree as restore should reproduce it: default cache excludes left out. */
function expectedEntries() {
  return walk(hostPath(source.homeDir, SOURCE_PATH)).filter(
    (e) => !e.relPath.toString('latin1').startsWith('node_modules/.cache'),
  )
}

function expectSameTree(restoredRoot: string): void {
  const want = expectedEntries()
  const got = walk(restoredRoot)
  const key = (p: Buffer) => p.toString('hex')
  expect(got.map((e) => key(e.relPath)).sort()).toEqual(want.map((e) => key(e.relPath)).sort())
  const byPath = new Map(got.map((e) => [key(e.relPath), e]))
  for (const w of want) {
    const g = byPath.get(key(w.relPath))!
    const name = w.relPath.toString() || '(root)'
    expect(g.stat.mode, name).toBe(w.stat.mode)
    expect(g.stat.mtimeNs, name).toBe(w.stat.mtimeNs)
    if (w.stat.isSymbolicLink()) expect(g.linkTarget, name).toEqual(w.linkTarget)
    if (w.stat.isFile()) {
      expect(g.stat.size, name).toBe(w.stat.size)
      expect(sha256(fs.readFileSync(join(restoredRoot, g.relPath))), name).toBe(
        sha256(fs.readFileSync(join(hostPath(source.homeDir, SOURCE_PATH), w.relPath))),
      )
    }
  }
  const hardA = byPath.get(key(Buffer.from('hard-a')))!
  const hardB = byPath.get(key(Buffer.from('src/hard-b')))!
  expect(hardA.stat.ino).toBe(hardB.stat.ino)
}

interface BackupJson {
  workspaceId: string
  restorePoint: RestorePoint
  stats: { files: number; filesRead: number; filesUnchanged: number; bytes: number }
  warnings: unknown[]
}

describe.each([
  ['s3', () => s3Repo()],
  ['folder', () => ({ repo: path.join(dir, 'folder-repo'), env: {} as NodeJS.ProcessEnv })],
])('cairn with a %s repository', (kind, makeRepo) => {
  let repo: string
  let env: NodeJS.ProcessEnv
  let first: BackupJson

  beforeAll(async () => {
    ;({ repo, env } = makeRepo())
    env = { ...env, ...keychain }
    const init = await runCairn(['repo', 'init', '--repo', repo], { env })
    expect(init.code, init.stderr).toBe(0)
  })

  it('backs up a VM over SSH into a restore point', async () => {
    const from = `ssh://dev@${source.ip}:${source.port}${SOURCE_PATH}`
    const run = await runCairn(
      ['backup', '--from', from, ...sourceFlags, '--repo', repo, '--tag', kind, '--json'],
      { env },
    )
    expect(run.code, run.stderr).toBe(0)
    first = run.json<BackupJson>()
    expect(first.workspaceId).toBe(`${source.ip.replace(/\./g, '-')}-work`)
    expect(first.restorePoint).toMatchObject({
      workspaceId: first.workspaceId,
      trigger: 'cli',
      tags: [kind],
      paths: [SOURCE_PATH],
      parent: null,
      changedWhileReading: 0,
    })
    expect(first.restorePoint.files).toBe(first.stats.files)
    // The first backup reads everything (hard-linked names and empty files need no read).
    expect(first.stats.filesRead).toBeGreaterThan(first.stats.files - 3)
    // Not a TTY: no progress line, and no secret anywhere.
    expect(run.stderr).not.toMatch(/\r/)
    if (env.AWS_SECRET_ACCESS_KEY)
      expect(run.stdout + run.stderr).not.toContain(env.AWS_SECRET_ACCESS_KEY)
  })

  it('backs up again reading nothing unchanged; snapshots lists both', async () => {
    const from = `ssh://dev@${source.ip}:${source.port}${SOURCE_PATH}`
    const again = await runCairn(['backup', '--from', from, ...sourceFlags, '--repo', repo], {
      env,
    })
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/^Restore point [0-9a-f]{8} of workspace /)
    expect(again.stdout).toMatch(/read 0 new or changed files/)

    const list = await runCairn(['snapshots', '--repo', repo, '--json'], { env })
    expect(list.code, list.stderr).toBe(0)
    const { restorePoints, damaged } = list.json<{
      restorePoints: RestorePoint[]
      damaged: unknown[]
    }>()
    expect(damaged).toEqual([])
    expect(restorePoints).toHaveLength(2)
    expect(restorePoints[0]).toEqual(first.restorePoint)
    expect(restorePoints[1]!.parent).toBe(first.restorePoint.id)
    const text = await runCairn(['snapshots', '--repo', repo], { env })
    expect(text.stdout).toMatch(/^ID\s+TIME\s+WORKSPACE/)
    expect(text.stdout).toContain(first.restorePoint.id.slice(0, 8))
  })

  it('ls browses a restore point without restoring it', async () => {
    const top = await runCairn(
      ['ls', first.restorePoint.id.slice(0, 8), '--repo', repo, '--json'],
      {
        env,
      },
    )
    expect(top.code, top.stderr).toBe(0)
    const listing = top.json<{
      restorePointId: string
      entries: { name: string; type: string }[]
    }>()
    expect(listing.restorePointId).toBe(first.restorePoint.id)
    const names = listing.entries.map((e) => e.name)
    expect(names).toEqual(expect.arrayContaining(['src', 'big.bin', 'link-to-file', 'f\\xffo']))
    const src = await runCairn(['ls', 'latest', 'src', '-l', '--repo', repo], { env })
    expect(src.code, src.stderr).toBe(0)
    expect(src.stdout).toMatch(/^-rw-r--r-- +dev +\S+ +19 .* main\.ts$/m)
    const recursive = await runCairn(['ls', 'latest', '-R', '--repo', repo], { env })
    expect(recursive.stdout).toMatch(/^src\/lib\/util\.ts$/m)
  })

  it('restores latest into a fresh VM bit-identical, with modes, mtimes, symlinks and hard links', async () => {
    const target = await createTestVm(`cli-target-${kind}`)
    fresh.push(target)
    const to = `ssh://dev@${target.ip}:${target.port}/home/dev/restored`
    const run = await runCairn(
      ['restore', 'latest', '--target', to, ...sshFlagsFor(target, dir), '--repo', repo, '--json'],
      { env },
    )
    expect(run.code, run.stderr).toBe(0)
    const result = run.json<{ snapshotId: string; files: number; refused: unknown[] }>()
    expect(result.refused).toEqual([])
    expectSameTree(hostPath(target.homeDir, '/home/dev/restored'))

    // A second restore into the now non-empty target is refused unless --overwrite.
    const again = await runCairn(
      ['restore', 'latest', '--target', to, ...sshFlagsFor(target, dir), '--repo', repo],
      { env },
    )
    expect(again.code, again.stderr).toBe(5)
  })

  it('restores part of a restore point into a local folder', async () => {
    const target = path.join(dir, `partial-${kind}`)
    const run = await runCairn(
      ['restore', 'latest', '--target', target, '--include', 'src', '--repo', repo],
      { env },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(fs.readFileSync(path.join(target, 'src/main.ts'), 'utf8')).toBe('export const x = 1\n')
    expect(fs.existsSync(path.join(target, 'big.bin'))).toBe(false)
  })

  it('verify reads everything back and exits 0', async () => {
    const run = await runCairn(['verify', '--repo', repo, '--json'], { env })
    expect(run.code, run.stderr).toBe(0)
    const report = run.json<{ ok: boolean; results: { ok: boolean; problems: unknown[] }[] }>()
    expect(report.ok).toBe(true)
    expect(report.results).toHaveLength(1)
    const all = await runCairn(['verify', '--all', '--share', '50%', '--repo', repo], { env })
    expect(all.code, all.stderr).toBe(0)
    expect(all.stdout.trim().split('\n')).toHaveLength(2)
  })
})

/**
 * A folder repository `name` with one backup (workspace `workspace`) of a local folder holding
 * `files`, through the CLI; returns the repository's path.
 */
async function folderRepoWithBackup(
  name: string,
  workspace: string,
  files: Record<string, string | Buffer>,
): Promise<string> {
  const repo = path.join(dir, name)
  const env = keychain
  expect((await runCairn(['repo', 'init', '--repo', repo], { env })).code).toBe(0)
  const local = path.join(dir, `${name}-source`)
  fs.mkdirSync(local)
  for (const [file, content] of Object.entries(files))
    fs.writeFileSync(path.join(local, file), content)
  const from = ['--from', local, '--workspace', workspace, '--repo', repo]
  const backup = await runCairn(['backup', ...from], { env })
  expect(backup.code, backup.stderr).toBe(0)
  return repo
}

describe('verify on a damaged folder repository', () => {
  it('exits 3 and names the affected file after one byte of a pack is flipped', async () => {
    const repo = await folderRepoWithBackup('damaged-repo', 'dmg', {
      'only.txt': 'one file, one blob\n'.repeat(100),
    })
    const env = keychain
    const packs = (
      fs.readdirSync(path.join(repo, 'workspaces/dmg/data'), { recursive: true }) as string[]
    )
      .map((p) => path.join(repo, 'workspaces/dmg/data', p))
      .filter((p) => fs.statSync(p).isFile())
    // Flip a byte in the middle of every pack (data and tree packs alike).
    for (const pack of packs) {
      const bytes = fs.readFileSync(pack)
      bytes[Math.floor(bytes.length / 3)]! ^= 0x01
      fs.writeFileSync(pack, bytes)
    }
    const run = await runCairn(['verify', '--repo', repo], { env })
    expect(run.code, run.stderr).toBe(3)
    expect(run.stdout + run.stderr).toMatch(/DAMAGED|damaged/)
  })

  it('exits 3 naming the file when only its data is damaged', async () => {
    // Incompressible content, so the data pack is big and a flip in its middle hits the data.
    const random = Buffer.alloc(2 * 1024 * 1024)
    for (let i = 0; i < random.length; i += 4)
      random.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i)
    const repo = await folderRepoWithBackup('damaged-data', 'dmg2', { 'precious.bin': random })
    const env = keychain
    const packs = (
      fs.readdirSync(path.join(repo, 'workspaces/dmg2/data'), { recursive: true }) as string[]
    )
      .map((p) => path.join(repo, 'workspaces/dmg2/data', p))
      .filter((p) => fs.statSync(p).isFile())
      .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)
    const biggest = packs[0]!
    const bytes = fs.readFileSync(biggest)
    bytes[Math.floor(bytes.length / 2)]! ^= 0x80
    fs.writeFileSync(biggest, bytes)

    const run = await runCairn(['verify', '--repo', repo, '--json'], { env })
    expect(run.code, run.stderr).toBe(3)
    const report = run.json<{ ok: boolean; results: { problems: { paths: string[] }[] }[] }>()
    expect(report.ok).toBe(false)
    expect(report.results[0]!.problems.flatMap((p) => p.paths)).toContain('precious.bin')
    const text = await runCairn(['verify', '--repo', repo], { env })
    expect(text.code).toBe(3)
    expect(text.stdout).toMatch(/affects precious\.bin/)
  })
})

describe('verify with a damaged index file', () => {
  it('reports it, reads the restore point anyway and names the files it affects', async () => {
    const repo = await folderRepoWithBackup('damaged-index', 'dmg3', {
      'listed.txt': 'listed in the damaged index\n'.repeat(50),
    })
    const env = keychain
    const indexDir = path.join(repo, 'workspaces/dmg3/index')
    const [file] = fs.readdirSync(indexDir)
    const bytes = fs.readFileSync(path.join(indexDir, file!))
    bytes[bytes.length >> 1]! ^= 0x01
    fs.writeFileSync(path.join(indexDir, file!), bytes)

    const run = await runCairn(['verify', '--repo', repo, '--workspace', 'dmg3', '--json'], { env })
    expect(run.code, run.stderr).toBe(3)
    const report = run.json<{
      ok: boolean
      results: { problems: { kind: string; message: string; paths: string[] }[] }[]
    }>()
    expect(report.ok).toBe(false)
    const problems = report.results[0]!.problems
    expect(problems[0]).toMatchObject({ kind: 'index' })
    expect(problems[0]!.message).toMatch(/is damaged .*cairn check --repair-index/)
    // With its only index file damaged, the restore point's blocks are in no index: its root
    // folder cannot be read, so everything in it is affected. The report names that itself,
    // without the errors' own "run a verify" hint.
    expect(problems[1]).toMatchObject({ kind: 'tree', paths: ['/'] })
    expect(problems[1]!.message).toMatch(
      /^The repository is damaged: blob [0-9a-f]{8} is not in any index\.$/,
    )

    // Rebuilt from the packs, the same verify passes.
    const repair = await runCairn(['check', '--repo', repo, '--repair-index'], { env })
    expect(repair.code, repair.stdout + repair.stderr).toBe(0)
    const again = await runCairn(['verify', '--repo', repo, '--workspace', 'dmg3'], { env })
    expect(again.code, again.stderr).toBe(0)
  })
})

describe('Ctrl-C', () => {
  it('cancels a backup cleanly: exit 130, no restore point, and the next backup works', async () => {
    const repo = path.join(dir, 'cancel-repo')
    const env = keychain
    expect((await runCairn(['repo', 'init', '--repo', repo], { env })).code).toBe(0)
    const local = path.join(dir, 'cancel-source')
    fs.mkdirSync(local)
    const chunk = Buffer.alloc(8 * 1024 * 1024)
    for (let i = 0; i < 32; i++) {
      for (let j = 0; j < chunk.length; j += 4)
        chunk.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, j)
      fs.writeFileSync(path.join(local, `blob-${i}.bin`), chunk)
    }
    const args = ['backup', '--from', local, '--workspace', 'cancel', '--repo', repo]
    const run = await runCairn(args, {
      env,
      onSpawn: (child) => {
        // Interrupt once the backup is under way (its note is printed after the repository and
        // the source are open).
        let sent = false
        child.stderr!.on('data', (d: Buffer) => {
          if (!sent && d.toString().includes('Backing up')) {
            sent = true
            setTimeout(() => child.kill('SIGINT'), 300)
          }
        })
      },
    })
    expect(run.code, run.stderr).toBe(130)
    expect(run.stderr).toMatch(/Cancelling/)
    expect(run.stderr).toMatch(/cairn: .*[Cc]ancelled/)
    const list = await runCairn(['snapshots', '--repo', repo, '--json'], { env })
    expect(list.json()).toEqual({ restorePoints: [], damaged: [], requests: expect.any(Object) })
    const again = await runCairn([...args, '--json'], { env })
    expect(again.code, again.stderr).toBe(0)
    const verify = await runCairn(['verify', '--repo', repo], { env })
    expect(verify.code, verify.stdout + verify.stderr).toBe(0)
  })
})
