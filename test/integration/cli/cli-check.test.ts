import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acquireLease, openRepository, openWorkspace } from '../../../src/main/core/repo'
import { FolderStore } from '../../../src/main/core/storage/folder-store'
import { ensureCliBuilt, runCairn, s3Repo } from './cli-harness'

// `cairn check`: exit 0 on a healthy repository (folder and S3), exit 3 with the restore points
// and files a missing pack affects, orphans after a lost index, `--repair-index` under the lease
// (exit 5 while another writer holds it), and the requests each command made with --json.

let dir: string
let keyFile: string
let masterKey: Buffer
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  await ensureCliBuilt()
  dir = fs.mkdtempSync(path.join(tmpdir(), 'cairn-cli-check-'))
  masterKey = randomBytes(32)
  keyFile = path.join(dir, 'master.key')
  fs.writeFileSync(keyFile, masterKey.toString('hex'), { mode: 0o600 })
  env = { CAIRN_MASTER_KEY_FILE: keyFile }
  const local = path.join(dir, 'src')
  fs.mkdirSync(path.join(local, 'lib'), { recursive: true })
  fs.writeFileSync(path.join(local, 'lib', 'precious.bin'), randomBytes(1 << 20))
  fs.writeFileSync(path.join(local, 'notes.md'), 'notes\n'.repeat(500))
}, 180_000)

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

async function repoWithBackups(name: string, extraEnv: NodeJS.ProcessEnv = {}, repo?: string) {
  const location = repo ?? path.join(dir, name)
  const all = { ...env, ...extraEnv }
  const init = await runCairn(['repo', 'init', '--repo', location], { env: all })
  expect(init.code, init.stderr).toBe(0)
  for (const round of [1, 2]) {
    fs.writeFileSync(path.join(dir, 'src', 'round.txt'), `${round}\n`)
    const backup = await runCairn(
      [
        'backup',
        '--from',
        path.join(dir, 'src'),
        '--workspace',
        'cw',
        '--repo',
        location,
        '--json',
      ],
      { env: all },
    )
    expect(backup.code, backup.stderr).toBe(0)
    // Every command that touches storage says what it cost in requests.
    expect(backup.json<{ requests: { put: number } }>().requests.put).toBeGreaterThan(0)
  }
  return location
}

function packsOf(repo: string): string[] {
  const data = path.join(repo, 'workspaces/cw/data')
  return (fs.readdirSync(data, { recursive: true }) as string[])
    .map((p) => path.join(data, p))
    .filter((p) => fs.statSync(p).isFile())
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)
}

interface CheckJson {
  ok: boolean
  repairs: { workspaceId: string; indexed: { id: string }[] }[]
  workspaces: {
    workspaceId: string
    ok: boolean
    orphanPacks: { id: string }[]
    problems: { kind: string; restorePoints: string[]; paths: string[] }[]
  }[]
  requests: { get: number; put: number; list: number }
}

describe('cairn check', () => {
  it('exits 0 on a healthy S3 repository and reports its requests', async () => {
    const s3 = s3Repo()
    const repo = await repoWithBackups('s3', s3.env, s3.repo)
    const run = await runCairn(['check', '--repo', repo, '--read-data', '100%', '--json'], {
      env: { ...env, ...s3.env },
    })
    expect(run.code, run.stderr).toBe(0)
    const report = run.json<CheckJson>()
    expect(report.ok).toBe(true)
    expect(report.workspaces.map((w) => w.workspaceId)).toEqual(['cw'])
    expect(report.requests.get).toBeGreaterThan(0)
    expect(report.requests.put).toBe(0)
    const text = await runCairn(['check', '--repo', repo], { env: { ...env, ...s3.env } })
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^cw: ok \(2 restore points/m)
  }, 40_000)

  it('exits 3 naming the restore points and files a missing pack affects', async () => {
    const repo = await repoWithBackups('missing-pack')
    fs.rmSync(packsOf(repo)[0]!) // the biggest: precious.bin's data
    const run = await runCairn(['check', '--repo', repo, '--json'], { env })
    expect(run.code, run.stderr).toBe(3)
    const problems = run.json<CheckJson>().workspaces[0]!.problems
    const missing = problems.find((p) => p.kind === 'missing')!
    expect(missing.paths).toContain('src/lib/precious.bin')
    expect(missing.restorePoints).toHaveLength(2)
    const text = await runCairn(['check', '--repo', repo], { env })
    expect(text.code).toBe(3)
    expect(text.stdout).toMatch(/cw: DAMAGED/)
    expect(text.stdout).toMatch(/affects src\/lib\/precious\.bin/)
    expect(text.stdout).toMatch(/restore points: [0-9a-f]{8}, [0-9a-f]{8}/)
  }, 40_000)

  it('repairs a lost index from the packs, under the lease, deleting nothing', async () => {
    const repo = await repoWithBackups('lost-index')
    fs.rmSync(path.join(repo, 'workspaces/cw/index'), { recursive: true })
    const packs = packsOf(repo)
    const broken = await runCairn(['check', '--repo', repo], { env })
    expect(broken.code).toBe(3)
    expect(broken.stdout).toMatch(/in no index .*cairn check --repair-index/)

    // Another writer holds the lease: refused with exit 5, nothing changed.
    const workspace = await openWorkspace(
      await openRepository(new FolderStore(repo), masterKey),
      'cw',
    )
    const lease = await acquireLease(workspace, { holder: 'backup job 5', hostname: 'desk-9' })
    const held = await runCairn(['check', '--repo', repo, '--repair-index'], { env })
    expect(held.code).toBe(5)
    expect(held.stderr).toMatch(/backup job 5 on desk-9/)
    await lease.release()

    const repair = await runCairn(['check', '--repo', repo, '--repair-index', '--json'], { env })
    expect(repair.code, repair.stderr).toBe(0)
    const report = repair.json<CheckJson>()
    expect(report.repairs[0]!.indexed).toHaveLength(packs.length)
    expect(report.ok).toBe(true)
    expect(report.workspaces[0]!.orphanPacks).toEqual([])
    expect(packsOf(repo)).toEqual(packs)
  }, 40_000)

  it('refuses a bad share with a usage error', async () => {
    const run = await runCairn(['check', '--repo', path.join(dir, 'x'), '--read-data', '2'], {
      env,
    })
    expect(run.code).toBe(2)
  })
})
