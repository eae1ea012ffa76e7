import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src/cli/run'

const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-requests-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const keyFile = join(dir, 'key')
writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 })
const env = { CAIRN_MASTER_KEY_FILE: keyFile, CAIRN_CACHE_DIR: join(dir, 'cache') }

async function cli(args: string[], tty: boolean) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY: tty, columns: 100 },
    stdin: Readable.from([]),
    env,
    cwd: dir,
    signal: new AbortController().signal,
  })
  return { code, stdout, stderr }
}

describe('requests per CLI command', () => {
  it('prints a summary line on a terminal for backup and check, and none for ls or in pipes', async () => {
    const repo = join(dir, 'repo')
    const source = join(dir, 'src')
    mkdirSync(source)
    writeFileSync(join(source, 'a.txt'), 'a\n'.repeat(1000))
    expect((await cli(['repo', 'init', '--repo', repo], false)).code).toBe(0)
    const backup = await cli(['backup', '--from', source, '-w', 'w', '--repo', repo], true)
    expect(backup.code, backup.stderr).toBe(0)
    expect(backup.stderr).toMatch(/Storage requests: [1-9]\d* PUT, \d+ LIST, \d+ GET, \d+ HEAD/)
    const check = await cli(['check', '--repo', repo], true)
    expect(check.code, check.stderr).toBe(0)
    expect(check.stderr).toMatch(/Storage requests: 0 PUT, [1-9]\d* LIST, [1-9]\d* GET/)
    expect((await cli(['check', '--repo', repo], false)).stderr).not.toMatch(/Storage requests/)
    expect((await cli(['snapshots', '--repo', repo], true)).stderr).not.toMatch(/Storage requests/)
  })
})
