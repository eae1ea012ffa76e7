import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src/cli/run'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import { parseRecoveryKey } from '../../../src/main/core/keys/recovery-key'

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

describe('cairn key rotate-master with CAIRN_MASTER_KEY_FILE', () => {
  it('writes the new key to --new-key-file, prints its recovery key; the old key is refused', async () => {
    const oldFile = join(dir, 'old.key')
    writeFileSync(oldFile, `${Buffer.from(generateMasterKey()).toString('hex')}\n`, { mode: 0o600 })
    const env = { CAIRN_MASTER_KEY_FILE: oldFile }
    const repo = join(dir, 'repo-master')
    const source = join(dir, 'src-master')
    mkdirSync(source)
    expect((await cli(['repo', 'init', '--repo', repo], env)).code).toBe(0)
    const backups: { id: string; content: string }[] = []
    for (const ws of ['one', 'two']) {
      const content = `${ws} `.repeat(3000)
      writeFileSync(join(source, 'f.txt'), content)
      const run = await cli(['backup', '--from', source, '-w', ws, '--repo', repo, '--json'], env)
      expect(run.code, run.stderr).toBe(0)
      backups.push({
        id: (JSON.parse(run.stdout) as { restorePoint: { id: string } }).restorePoint.id,
        content,
      })
    }

    const missing = await cli(['key', 'rotate-master', '--repo', repo], env)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/--new-key-file/)
    const taken = join(dir, 'taken.key')
    writeFileSync(taken, 'something else\n', { mode: 0o600 })
    const refused = await cli(
      ['key', 'rotate-master', '--repo', repo, '--new-key-file', taken],
      env,
    )
    expect(refused.code).toBe(5)
    expect(refused.stderr).toMatch(/does not overwrite/)

    const newFile = join(dir, 'new.key')
    const rotated = await cli(
      ['key', 'rotate-master', '--repo', repo, '--new-key-file', newFile],
      env,
    )
    expect(rotated.code, rotated.stderr).toBe(0)
    const newKey = parseRecoveryKey(rotated.stdout.trim())
    expect(Buffer.from(newKey).toString('hex')).toBe(readFileSync(newFile, 'utf8').trim())
    expect(rotated.stderr).toMatch(/old recovery key no longer opens it/)

    const newEnv = { CAIRN_MASTER_KEY_FILE: newFile }
    for (const [i, { id, content }] of backups.entries()) {
      const target = join(dir, `master-restored-${i}`)
      const ws = i === 0 ? 'one' : 'two'
      const run = await cli(['restore', id, '-w', ws, '--repo', repo, '--target', target], newEnv)
      expect(run.code, run.stderr).toBe(0)
      expect(readFileSync(join(target, 'f.txt'), 'utf8')).toBe(content)
    }
    const old = await cli(['snapshots', '--repo', repo], env)
    expect(old.code).toBe(4)
    expect(old.stderr).toMatch(/was rotated on .* at .*Import the new recovery key/)
    // Running it again (as after an interruption) with the same new file changes nothing.
    const again = await cli(
      ['key', 'rotate-master', '--repo', repo, '--new-key-file', newFile],
      env,
    )
    expect(again.code, again.stderr).toBe(0)
    expect(parseRecoveryKey(again.stdout.trim())).toEqual(newKey)
  })
})
