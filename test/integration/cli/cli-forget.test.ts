import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RestorePoint } from '../../../src/shared/domain/backup'
import type { ForgetResult } from '../../../src/shared/domain/schedules'
import { ensureCliBuilt, keychainEnv, runCairn } from './cli-harness'

let dir: string
let repo: string
let source: string
const env = keychainEnv()

beforeAll(async () => {
  await ensureCliBuilt()
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-forget-'))
  repo = join(dir, 'repo')
  source = join(dir, 'site')
  mkdirSync(source)
  const init = await runCairn(['repo', 'init', '--repo', repo], { env })
  expect(init.code, init.stderr).toBe(0)
  // Four restore points, oldest first: one tagged stop, then three plain ones.
  for (const [i, tags] of [['stop'], [], [], []].entries()) {
    writeFileSync(join(source, 'file.txt'), `version ${i}\n`)
    const args = ['backup', '--repo', repo, '--from', source, '--workspace', 'site']
    for (const tag of tags) args.push('--tag', tag)
    const made = await runCairn(args, { env })
    expect(made.code, made.stderr).toBe(0)
  }
})

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const list = async () => {
  const out = await runCairn(['snapshots', '--repo', repo, '--json'], { env })
  return out.json<{ restorePoints: RestorePoint[] }>().restorePoints
}

describe('cairn forget', () => {
  it('a dry run prints the decision table and changes nothing', async () => {
    const before = await list()
    const dry = await runCairn(
      ['forget', '--repo', repo, '--workspace', 'site', '--keep-last', '1', '--dry-run'],
      { env },
    )
    expect(dry.code, dry.stderr).toBe(0)
    const lines = dry.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^ID\s+TIME\s+TRIGGER\s+DECISION\s+REASONS$/)
    expect(lines[1]).toMatch(/keep\s+latest; last #1$/)
    expect(lines[2]).toMatch(/would remove\s+beyond every rule$/)
    expect(lines[3]).toMatch(/would remove\s+beyond every rule$/)
    expect(lines[4]).toMatch(/keep\s+tagged stop$/)
    expect(dry.stdout).toContain('Dry run: 2 of 4 restore points would be removed')
    expect(dry.stdout).toMatch(/prune/)
    expect((await list()).map((p) => p.id)).toEqual(before.map((p) => p.id))
  })

  it('removes what the policy does not keep, as JSON; stop-tagged and latest stay', async () => {
    const before = await list()
    const run = await runCairn(
      ['forget', '--repo', repo, '--workspace', 'site', '--keep-last', '1', '--json'],
      { env },
    )
    expect(run.code, run.stderr).toBe(0)
    const result = run.json<ForgetResult>()
    expect(result).toMatchObject({ dryRun: false, kept: 2, removed: 2 })
    expect(result.policy).toEqual({
      keepLast: 1,
      keepHourly: 0,
      keepDaily: 0,
      keepWeekly: 0,
      keepMonthly: 0,
      keepWithinHours: 0,
    })
    const after = await list()
    expect(after.map((p) => p.id)).toEqual([before[0]!.id, before[3]!.id])
    expect(after[0]!.tags).toContain('stop')
  })

  it('a pinned restore point survives a policy that keeps nothing; unpinned, it goes', async () => {
    const [stopPoint, latest] = await list()
    const second = async () => {
      writeFileSync(join(source, 'file.txt'), 'version 5\n')
      const made = await runCairn(['backup', '--repo', repo, '--from', source, '-w', 'site'], {
        env,
      })
      expect(made.code, made.stderr).toBe(0)
    }
    await second()
    const pinned = await runCairn(['pin', latest!.id.slice(0, 8), '--repo', repo], { env })
    expect(pinned.code, pinned.stderr).toBe(0)
    expect(pinned.stdout).toContain(`Pinned ${latest!.id.slice(0, 8)} of site.`)
    const listed = await runCairn(['pins', '--repo', repo, '--json'], { env })
    expect(listed.json()).toMatchObject({ pins: [{ restorePointId: latest!.id }], unreadable: [] })
    const run = await runCairn(['forget', '--repo', repo, '--keep-last', '0', '--json'], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(run.json<ForgetResult>()).toMatchObject({ kept: 3, removed: 0 })
    expect(run.json<ForgetResult>().decisions.map((d) => d.reasons)).toEqual([
      ['kept: latest'],
      ['kept: pinned'],
      ['kept: tagged stop'],
    ])
    const unpinned = await runCairn(['unpin', latest!.id.slice(0, 6), '--repo', repo], { env })
    expect(unpinned.code, unpinned.stderr).toBe(0)
    await runCairn(['forget', '--repo', repo, '--keep-last', '0'], { env })
    expect((await list()).map((p) => p.id)).not.toContain(latest!.id)
    expect((await list()).map((p) => p.id)).toContain(stopPoint!.id)
  })

  it('without --keep flags applies the defaults; a bad value is a usage error', async () => {
    const run = await runCairn(['forget', '--repo', repo, '--dry-run', '--json'], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(run.json<ForgetResult>()).toMatchObject({
      removed: 0,
      policy: { keepLast: 10, keepDaily: 14, keepWithinHours: 48 },
    })
    const bad = await runCairn(['forget', '--repo', repo, '--keep-within', '2 days'], { env })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/like 2d or 36h/)
  })
})
