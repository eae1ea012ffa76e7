import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src/cli/run'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'

const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-rotate-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    stdin: Readable.from([]),
    env,
    cwd: dir,
    signal: new AbortController().signal,
  })
  return { code, stdout, stderr }
}

describe('cairn key rotate --workspace', () => {
  it('new backups use the new key version; every older restore point restores', async () => {
    const keyFile = join(dir, 'master.key')
    writeFileSync(keyFile, `${Buffer.from(generateMasterKey()).toString('hex')}\n`, {
      mode: 0o600,
    })
    const env = { CAIRN_MASTER_KEY_FILE: keyFile }
    const repo = join(dir, 'repo')
    const source = join(dir, 'src')
    mkdirSync(source)
    expect((await cli(['repo', 'init', '--repo', repo], env)).code).toBe(0)

    const contents: string[] = []
    const ids: string[] = []
    for (let round = 0; round < 3; round++) {
      contents.push(`round ${round} `.repeat(2000 + round))
      writeFileSync(join(source, 'file.txt'), contents[round]!)
      const run = await cli(
        ['backup', '--from', source, '--workspace', 'ws', '--repo', repo, '--json'],
        env,
      )
      expect(run.code, run.stderr).toBe(0)
      ids.push((JSON.parse(run.stdout) as { restorePoint: { id: string } }).restorePoint.id)
      if (round < 2) {
        const rotate = await cli(
          ['key', 'rotate', '--workspace', 'ws', '--repo', repo, '--json'],
          env,
        )
        expect(rotate.code, rotate.stderr).toBe(0)
        expect(JSON.parse(rotate.stdout)).toMatchObject({
          workspace: 'ws',
          keyVersion: round + 2,
          previousKeyVersion: round + 1,
        })
      }
    }
    const text = await cli(['key', 'rotate', '--repo', repo], env)
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/Workspace ws now writes with key version 4 \(was 3\)/)

    for (const [round, id] of ids.entries()) {
      const target = join(dir, `restored-${round}`)
      const run = await cli(['restore', id, '--repo', repo, '--target', target], env)
      expect(run.code, run.stderr).toBe(0)
      expect(readFileSync(join(target, 'file.txt'), 'utf8')).toBe(contents[round])
    }
  })

  it('has help with an example', async () => {
    const help = await cli(['key', 'rotate', '--help'], {})
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--workspace')
    expect(help.stdout).toMatch(/Example:/)
  })
})
