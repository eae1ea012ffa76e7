import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import { formatRecoveryKey } from '../../../src/main/core/keys/recovery-key'
import { ensureCliBuilt, keychainEnv, runCairn, s3Repo } from './cli-harness'

let dir: string
beforeAll(async () => {
  await ensureCliBuilt()
  dir = mkdtempSync(join(tmpdir(), 'cairn-cli-keys-'))
})
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

interface InitJson {
  repository: { location: string; id: string; formatVersion: number; created: string }
  masterKey: { source: string; keyId: string; created: boolean }
}

describe('cairn repo init / info and the master key in the keychain', () => {
  it('creates a repository on S3 and the master key on first use; info shows it', async () => {
    const { repo, env } = s3Repo()
    const keychain = keychainEnv()
    const init = await runCairn(['repo', 'init', '--repo', repo, '--json'], {
      env: { ...env, ...keychain },
    })
    expect(init.code, init.stderr).toBe(0)
    const made = init.json<InitJson>()
    expect(made.repository.id).toMatch(/^[0-9a-f]{64}$/)
    expect(made.repository.location).toMatch(/^s3:\/\/.+ at 127\.0\.0\.1:\d+$/)
    expect(made.masterKey).toMatchObject({ source: 'keychain', created: true })
    // No secret in any output.
    expect(init.stdout + init.stderr).not.toContain(env.AWS_SECRET_ACCESS_KEY!)

    const info = await runCairn(['repo', 'info', '--repo', repo, '--json'], {
      env: { ...env, ...keychain },
    })
    expect(info.code, info.stderr).toBe(0)
    expect(info.json()).toEqual({
      location: made.repository.location,
      id: made.repository.id,
      formatVersion: made.repository.formatVersion,
      created: made.repository.created,
      masterKey: { source: 'keychain', keyId: made.masterKey.keyId },
      workspaces: [],
      damagedRestorePoints: [],
      requests: expect.objectContaining({ put: 0, list: expect.any(Number) }),
    })
    const text = await runCairn(['repo', 'info', '--repo', repo], { env: { ...env, ...keychain } })
    expect(text.stdout).toContain(made.repository.id)
    expect(text.stdout).toContain('No restore points yet.')

    // A second repository with the same keychain reuses the key; a non-empty location is refused.
    const again = await runCairn(['repo', 'init', '--repo', repo], { env: { ...env, ...keychain } })
    expect(again.code).toBe(5)
    expect(again.stderr).toMatch(/^cairn: There is already a repository/)
    const second = await runCairn(['repo', 'init', '--repo', join(dir, 'second'), '--json'], {
      env: keychain,
    })
    expect(second.code, second.stderr).toBe(0)
    expect(second.json<InitJson>().masterKey).toEqual({
      source: 'keychain',
      keyId: made.masterKey.keyId,
      created: false,
    })
  })

  it('export-recovery shows the key once; import-recovery in another keychain service round-trips', async () => {
    const repo = join(dir, 'roundtrip')
    const a = keychainEnv()
    const b = keychainEnv()
    const init = await runCairn(['repo', 'init', '--repo', repo, '--json'], { env: a })
    expect(init.code, init.stderr).toBe(0)
    const keyId = init.json<InitJson>().masterKey.keyId

    const status = await runCairn(['key', 'status', '--json'], { env: a })
    expect(status.json()).toMatchObject({ present: true, keyId, recoveryShownAt: null })

    const exported = await runCairn(['key', 'export-recovery'], { env: a })
    expect(exported.code, exported.stderr).toBe(0)
    const recoveryKey = exported.stdout.trim()
    expect(recoveryKey).toMatch(/^([0-9A-Z]{5}-){12}[0-9A-Z]{5}$/)
    expect(exported.stderr).toMatch(/opens every backup/)

    const twice = await runCairn(['key', 'export-recovery'], { env: a })
    expect(twice.code).toBe(5)
    expect(twice.stdout).toBe('')
    expect(twice.stderr).toMatch(/already shown/)
    const again = await runCairn(['key', 'export-recovery', '--again', '--json'], { env: a })
    expect(again.json()).toMatchObject({
      recoveryKey,
      keyId,
      previouslyShownAt: expect.any(String),
    })

    // The other service has no key: commands say how to get one.
    const none = await runCairn(['snapshots', '--repo', repo], { env: b })
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/no master key in the keychain/)

    const imported = await runCairn(['key', 'import-recovery', '--repo', repo, '--json'], {
      env: b,
      input: `${recoveryKey.toLowerCase()}\n`,
    })
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.json()).toMatchObject({
      keyId,
      unchanged: false,
      replacedKeyId: null,
      checkedAgainstRepository: true,
    })
    const listed = await runCairn(['snapshots', '--repo', repo, '--json'], { env: b })
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.json()).toEqual({ restorePoints: [], damaged: [], requests: expect.any(Object) })

    const same = await runCairn(['key', 'import-recovery', '--json'], {
      env: b,
      input: recoveryKey,
    })
    expect(same.json()).toMatchObject({ unchanged: true })
  })

  it('import-recovery refuses typos, a key that does not open --repo, and replacing without --replace', async () => {
    const repo = join(dir, 'refusals')
    const owner = keychainEnv()
    expect((await runCairn(['repo', 'init', '--repo', repo], { env: owner })).code).toBe(0)
    const other = formatRecoveryKey(generateMasterKey())

    const fresh = keychainEnv()
    const typo = `${other[0] === 'A' ? 'B' : 'A'}${other.slice(1)}`
    const mistyped = await runCairn(['key', 'import-recovery'], { env: fresh, input: typo })
    expect(mistyped.code).toBe(2)
    expect(mistyped.stderr).toMatch(/Group 1 .* looks mistyped/)

    const wrong = await runCairn(['key', 'import-recovery', '--repo', repo], {
      env: fresh,
      input: other,
    })
    expect(wrong.code).toBe(4)
    expect(wrong.stderr).toMatch(/does not open the repository.*nothing was stored/)
    expect((await runCairn(['key', 'status', '--json'], { env: fresh })).json()).toMatchObject({
      present: false,
    })

    const replace = await runCairn(['key', 'import-recovery'], { env: owner, input: other })
    expect(replace.code).toBe(5)
    expect(replace.stderr).toMatch(/already has a different master key/)
    const replaced = await runCairn(['key', 'import-recovery', '--replace', '--json'], {
      env: owner,
      input: other,
    })
    expect(replaced.code, replaced.stderr).toBe(0)
    expect(replaced.json()).toMatchObject({
      replacedKeyId: expect.stringMatching(/^[0-9a-f]{16}$/),
    })
  })

  it('a wrong CAIRN_MASTER_KEY_FILE exits 4 and writes nothing', async () => {
    const repo = join(dir, 'keyfile')
    const keyFile = join(dir, 'master.key')
    writeFileSync(keyFile, Buffer.from(generateMasterKey()).toString('hex'), { mode: 0o600 })
    const init = await runCairn(['repo', 'init', '--repo', repo, '--json'], {
      env: { ...keychainEnv(), CAIRN_MASTER_KEY_FILE: keyFile },
    })
    expect(init.code, init.stderr).toBe(0)
    expect(init.json<InitJson>().masterKey).toMatchObject({ source: 'file', created: false })

    const before = readdirSync(repo, { recursive: true }).sort()
    const wrongFile = join(dir, 'wrong.key')
    writeFileSync(wrongFile, `${formatRecoveryKey(generateMasterKey())}\n`, { mode: 0o600 })
    for (const args of [
      ['snapshots'],
      ['repo', 'info'],
      ['backup', '--from', dir, '--workspace', 'w1'],
      ['verify'],
    ]) {
      const run = await runCairn([...args, '--repo', repo], {
        env: { CAIRN_MASTER_KEY_FILE: wrongFile },
      })
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(4)
      expect(run.stderr).toMatch(/does not open the repository/)
    }
    expect(readdirSync(repo, { recursive: true }).sort()).toEqual(before)

    const open = await runCairn(['snapshots', '--repo', repo, '--json'], {
      env: { CAIRN_MASTER_KEY_FILE: keyFile },
    })
    expect(open.code, open.stderr).toBe(0)
  })
})

describe('cairn --help from the built CLI', () => {
  it('prints the full help and exits 0; a usage error exits 2', async () => {
    const help = await runCairn(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/Usage: cairn/)
    expect(help.stdout).toMatch(/Exit codes:/)
    const restore = await runCairn(['restore', '--help'])
    expect(restore.code).toBe(0)
    expect(restore.stdout).toMatch(/--target <target>/)
    const bad = await runCairn(['restore', '--target', '/tmp/x'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/missing required argument 'restore-point'/)
  })

  it('runs as the `bin` entry itself, through its shebang and the V8 flag it passes', () => {
    // npm links bin/cairn.js as `cairn`; its `env -S node --max-semi-space-size=4` line must run.
    const bin = join(import.meta.dirname, '../../../bin/cairn.js')
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe(
      '#!/usr/bin/env -S node --max-semi-space-size=4',
    )
    const help = spawnSync(bin, ['--help'], { encoding: 'utf8' })
    expect(help.status, help.stderr).toBe(0)
    expect(help.stdout).toMatch(/Usage: cairn/)
  })
})
