import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src/cli/run'
import { ScheduleStore } from '../../../src/main/core/schedules/schedule-store'
import { WorkspaceRegistry } from '../../../src/main/core/workspaces/registry'
import { workspaceRecord } from '../../support/workspace-record'

const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-schedules-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function cli(args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    stdin: Readable.from([]),
    env: { CAIRN_DATA_DIR: dir },
    cwd: dir,
    signal: new AbortController().signal,
  })
  return { code, stdout, stderr }
}

describe('cairn schedules', () => {
  it("shows and changes the desktop app's schedules; a running app's store sees the change", async () => {
    const web = workspaceRecord({ name: 'web' })
    await new WorkspaceRegistry(dir).add(web)
    // The app's store, already loaded (as in a running app).
    const app = new ScheduleStore(dir)
    expect((await app.get(web.id)).backupEveryMinutes).toBeUndefined()

    const shown = await cli(['schedules', '--json'])
    expect(shown.code, shown.stderr).toBe(0)
    expect(JSON.parse(shown.stdout).workspaces).toEqual([
      expect.objectContaining({
        workspaceId: web.id,
        name: 'web',
        backupEveryMinutes: 120,
        verifyEveryHours: 168,
        applyRetention: true,
      }),
    ])

    const set = await cli([
      'schedules',
      'set',
      '--workspace',
      'web',
      '--backup-every',
      '30m',
      '--verify-every',
      'off',
      '--retention',
      'off',
    ])
    expect(set.code, set.stderr).toBe(0)
    expect(set.stdout).toContain('web: back up every 30 min, scheduled verify off, retention off.')
    const seen = await app.get(web.id)
    expect(seen).toMatchObject({ backupEveryMinutes: 30, verifyEveryHours: null })
    expect(seen.applyRetention).toBe(false)

    const text = await cli(['schedules'])
    expect(text.stdout).toMatch(/web\s+stopped\s+30 min\s+off\s+off\s+never\s+never/)

    expect((await cli(['schedules', 'set', '-w', 'web', '--backup-every', 'default'])).code).toBe(0)
    expect((await app.get(web.id)).backupEveryMinutes).toBeUndefined()
  })

  it('refuses an unknown workspace, a bad duration and nothing to change, changing nothing', async () => {
    for (const args of [
      ['schedules', 'set', '-w', 'nope', '--backup-every', '1h'],
      ['schedules', 'set', '-w', 'web', '--backup-every', '2m'],
      ['schedules', 'set', '-w', 'web', '--verify-every', 'weekly'],
      ['schedules', 'set', '-w', 'web'],
    ]) {
      const run = await cli(args)
      expect(run.code, args.join(' ')).not.toBe(0)
      expect(run.stderr.length).toBeGreaterThan(10)
    }
    const shown = JSON.parse((await cli(['schedules', '--json'])).stdout)
    expect(shown.workspaces[0]).toMatchObject({ backupEveryMinutes: 120, verifyEveryHours: null })
  })
})
