import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { localSource, runBackup, runRestore, runVerify } from '../../../src/main/core/backup'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import { initRepository, openRepository, openWorkspace } from '../../../src/main/core/repo'
import { FolderStore } from '../../../src/main/core/storage/folder-store'
import { CairnError } from '../../../src/shared/errors'
import { prng, seededBytes } from '../../support/backup-trees'

// Flip bytes of every object of a small folder repository, one at a time: a full verify (or, for
// the objects without which nothing can be read, opening the repository) must notice every one,
// and a damaged data blob must be reported with the files that need it.

let base: string
let repoDir: string
let snapshotId: string
const masterKey = generateMasterKey()

beforeAll(async () => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-backup-damage-'))
  repoDir = path.join(base, 'repo')
  fs.mkdirSync(repoDir)
  const src = path.join(base, 'src')
  fs.mkdirSync(path.join(src, 'docs'), { recursive: true })
  fs.writeFileSync(path.join(src, 'big.bin'), seededBytes('big', 700 * 1024))
  fs.writeFileSync(path.join(src, 'docs', 'notes.txt'), 'notes\n'.repeat(5000))
  fs.writeFileSync(path.join(src, 'docs', 'small.txt'), 'small\n')
  fs.symlinkSync('docs/notes.txt', path.join(src, 'link'))
  const repo = await initRepository(new FolderStore(repoDir), masterKey)
  const workspace = await openWorkspace(repo, 'ws', { create: true })
  const result = await runBackup({
    workspace,
    source: localSource(),
    paths: [src],
    trigger: 'manual',
    // Small packs: several data packs, so damage in one names only its files.
    writer: { packSize: 128 * 1024 },
  })
  snapshotId = result.snapshot.id
})

afterAll(() => fs.rmSync(base, { recursive: true, force: true }))

function objects(dir: string): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...objects(full))
    else out.push(full)
  }
  return out.sort()
}

/** What a user would see: an error on open, or a verify report; returns null if all looked fine. */
async function check(): Promise<{
  error?: CairnError
  problems?: { kind: string; paths: string[] }[]
} | null> {
  try {
    const repo = await openRepository(new FolderStore(repoDir), masterKey)
    const workspace = await openWorkspace(repo, 'ws')
    const report = await runVerify({ workspace, snapshotId })
    return report.ok ? null : { problems: report.problems }
  } catch (error) {
    if (error instanceof CairnError) return { error }
    throw error
  }
}

it('the untouched repository verifies and restores', async () => {
  expect(await check()).toBeNull()
})

it('detects a flipped byte anywhere in any object, naming the affected files', async () => {
  const random = prng(99)
  const all = objects(repoDir)
  expect(all.some((p) => p.includes('/data/'))).toBe(true)
  let checked = 0
  for (const object of all) {
    const original = fs.readFileSync(object)
    const positions = new Set([0, original.length - 1, original.length >> 1])
    for (let i = 0; i < 4; i++) positions.add(Math.floor(random() * original.length))
    for (const position of positions) {
      const damaged = Buffer.from(original)
      damaged[position] = damaged[position]! ^ i2mask(position)
      fs.writeFileSync(object, damaged)
      const seen = await check()
      fs.writeFileSync(object, original)
      const where = `${path.relative(repoDir, object)} at byte ${position}`
      expect(seen, where).not.toBeNull()
      if (seen?.problems) {
        expect(seen.problems.length, where).toBeGreaterThan(0)
        for (const problem of seen.problems) {
          if (problem.kind === 'data') expect(problem.paths.length, where).toBeGreaterThan(0)
        }
      }
      checked++
    }
  }
  expect(checked).toBeGreaterThan(40)
  expect(await check()).toBeNull()
})

it('a damaged data blob names exactly the files that need it, and restore stops there', async () => {
  // The pack holding big.bin's first chunk: flip a byte in the middle of its first blob.
  const repo = await openRepository(new FolderStore(repoDir), masterKey)
  const workspace = await openWorkspace(repo, 'ws')
  const report = await runVerify({ workspace, snapshotId })
  expect(report.ok).toBe(true)
  const packs = objects(path.join(repoDir, 'workspaces/ws/data'))
  let found = false
  for (const pack of packs) {
    const original = fs.readFileSync(pack)
    const damaged = Buffer.from(original)
    damaged[100] = damaged[100]! ^ 0x40
    fs.writeFileSync(pack, damaged)
    const result = await runVerify({ workspace, snapshotId })
    const data = result.problems.filter((p) => p.kind === 'data')
    if (data.some((p) => p.paths.includes('big.bin'))) {
      found = true
      expect(data.flatMap((p) => p.paths)).toEqual(['big.bin'])
      const out = path.join(base, 'restore-damaged')
      const error = await runRestore({
        workspace,
        snapshotId,
        target: { kind: 'local', dir: out },
      }).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'storage_failed', details: { reason: 'damaged' } })
      // Nothing half-written: no big.bin, no temporary file.
      expect(fs.existsSync(path.join(out, 'big.bin'))).toBe(false)
      expect(fs.readdirSync(out).filter((n) => n.includes('cairn-restore'))).toEqual([])
    }
    fs.writeFileSync(pack, original)
    if (found) break
  }
  expect(found).toBe(true)
})

function i2mask(position: number): number {
  return position % 7 === 0 ? 0x80 : 0x01
}
