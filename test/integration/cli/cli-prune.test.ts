import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PruneJobResult } from '../../../src/shared/domain/prune'
import { ensureCliBuilt, keychainEnv, runCairn, s3Repo } from './cli-harness'

let dir: string
let source: string
const s3 = s3Repo()
const repo = s3.repo
const env = { ...keychainEnv(), ...s3.env }
const latest = new Map<string, Buffer>()

beforeAll(async () => {
  await ensureCliBuilt()
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-prune-'))
  source = join(dir, 'site')
  mkdirSync(source)
  const init = await runCairn(['repo', 'init', '--repo', repo], { env })
  expect(init.code, init.stderr).toBe(0)
  // Four restore points; each replaces most of the data (random, so nothing deduplicates).
  for (let i = 0; i < 4; i++) {
    for (let f = 0; f < 6; f++) {
      const content = f < 2 && i > 0 ? latest.get(`keep-${f}`)! : randomBytes(300_000)
      const name = f < 2 ? `keep-${f}` : `file-${f}`
      writeFileSync(join(source, name), content)
      latest.set(name, content)
    }
    const made = await runCairn(['backup', '--repo', repo, '--from', source, '-w', 'site'], {
      env,
    })
    expect(made.code, made.stderr).toBe(0)
  }
}, 120_000)

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('cairn prune (S3)', () => {
  it('after a forget frees the space, reports requests, keeps the latest restorable; again a no-op', async () => {
    const forgot = await runCairn(['forget', '--repo', repo, '--keep-last', '1'], { env })
    expect(forgot.code, forgot.stderr).toBe(0)

    const dry = await runCairn(['prune', '--repo', repo, '--workspace', 'site', '--dry-run'], {
      env,
    })
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toMatch(/Dry run: about .* would be freed; nothing was changed\./)

    const run = await runCairn(['prune', '--repo', repo, '-w', 'site', '--json'], { env })
    expect(run.code, run.stderr).toBe(0)
    const result = run.json<PruneJobResult>()
    expect(result.dryRun).toBe(false)
    expect(result.restorePoints).toBe(1)
    expect(result.bytesFreed).toBeGreaterThan(500_000)
    expect(result.bytesAfter).toBeLessThan(result.bytesBefore)
    expect(result.requests!.delete).toBeGreaterThan(0)
    expect(result.requests!.list).toBeGreaterThan(0)

    const target = join(dir, 'restored')
    const restored = await runCairn(['restore', 'latest', '--repo', repo, '--target', target], {
      env,
    })
    expect(restored.code, restored.stderr).toBe(0)
    for (const [name, content] of latest)
      expect(readFileSync(join(target, name)).equals(content)).toBe(true)

    const check = await runCairn(['check', '--repo', repo, '--read-data', '1', '--json'], { env })
    expect(check.code, check.stdout + check.stderr).toBe(0)

    const again = await runCairn(['prune', '--repo', repo, '--json'], { env })
    expect(again.code, again.stderr).toBe(0)
    expect(again.json<PruneJobResult>()).toMatchObject({
      bytesFreed: 0,
      removedPacks: [],
      repackedPacks: [],
    })
  }, 120_000)

  it('a bad --max-unused is a usage error', async () => {
    const bad = await runCairn(['prune', '--repo', repo, '--max-unused', '150%'], { env })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--max-unused')
  })
})
