import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { EXIT, exitCodeFor, WrongKeyError } from '../../../src/cli/exit-codes'
import { formatBytes, formatDuration, formatMode } from '../../../src/cli/format'
import { readKeyFile } from '../../../src/cli/key-source'
import { TerminalProgress } from '../../../src/cli/progress'
import { runCli } from '../../../src/cli/run'
import { parseShare } from '../../../src/cli/commands/verify'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import { formatRecoveryKey } from '../../../src/main/core/keys/recovery-key'
import { CairnError } from '../../../src/shared/errors'

const dir = mkdtempSync(join(tmpdir(), 'cairn-cli-unit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
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

describe('cairn --help', () => {
  it('lists every command, the environment and the exit codes', async () => {
    const { code, stdout } = await cli(['--help'])
    expect(code).toBe(0)
    for (const command of ['repo', 'backup', 'snapshots', 'ls', 'restore', 'verify', 'key']) {
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
    }
    expect(stdout).toContain('CAIRN_MASTER_KEY_FILE')
    expect(stdout).toContain('AWS_SECRET_ACCESS_KEY')
    expect(stdout).toMatch(/Exit codes:[\s\S]*130 cancelled/)
  })

  const commands = [
    ['repo', 'init'],
    ['repo', 'info'],
    ['backup'],
    ['snapshots'],
    ['ls'],
    ['restore'],
    ['verify'],
    ['key', 'status'],
    ['key', 'export-recovery'],
    ['key', 'import-recovery'],
  ]
  it.each(commands)('%s %s --help has its options, --json and examples', async (...command) => {
    const { code, stdout } = await cli([...command.filter(Boolean), '--help'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^Usage: cairn /)
    expect(stdout).toContain('--json')
    if (!(command[0] === 'key' && command[1] === 'status')) expect(stdout).toMatch(/Examples?:/)
  })

  it('backup and restore help name the SSH and S3 flags', async () => {
    const backup = (await cli(['backup', '--help'])).stdout
    for (const flag of [
      '--from',
      '--identity',
      '--known-hosts',
      '--host-key',
      '--exclude',
      '--include',
      '--tag',
      '--trigger',
      '--workspace',
      '--repo',
      '--endpoint',
      '--path-style',
    ]) {
      expect(backup).toContain(flag)
    }
    const restore = (await cli(['restore', '--help'])).stdout
    for (const flag of [
      '--target',
      '--include',
      '--overwrite',
      '--dry-run',
      '--identity',
      '--known-hosts',
    ]) {
      expect(restore).toContain(flag)
    }
  })

  it('--version prints the version', async () => {
    const { code, stdout } = await cli(['--version'])
    expect(code).toBe(0)
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })
})

describe('usage errors exit 2', () => {
  it.each([
    [['bogus']],
    [['backup']],
    [['backup', '--from', '/x', '--trigger', 'nope']],
    [['restore', 'latest']],
    [['snapshots', '--no-such-flag']],
  ])('%j', async (args) => {
    const { code, stderr } = await cli(args)
    expect(code).toBe(EXIT.usage)
    expect(stderr).toMatch(/error:/)
  })

  it('a missing --repo is a usage error with a message, as JSON with --json', async () => {
    const text = await cli(['snapshots'])
    expect(text.code).toBe(EXIT.usage)
    expect(text.stderr).toMatch(/^cairn: Say where the repository is/)
    expect(text.stderr).not.toMatch(/\n\s+at /)
    const json = await cli(['snapshots', '--json'])
    expect(json.code).toBe(EXIT.usage)
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'invalid_input', message: expect.stringMatching(/--repo/) },
      exitCode: 2,
    })
  })
})

describe('exit codes', () => {
  it('maps errors to documented codes', () => {
    expect(exitCodeFor(new CairnError('invalid_input', 'x'))).toBe(EXIT.usage)
    expect(exitCodeFor(new CairnError('cancelled', 'x'))).toBe(EXIT.cancelled)
    expect(exitCodeFor(new CairnError('conflict', 'x'))).toBe(EXIT.conflict)
    expect(exitCodeFor(new CairnError('storage_failed', 'x', { reason: 'damaged' }))).toBe(
      EXIT.damage,
    )
    expect(exitCodeFor(new WrongKeyError(new CairnError('unauthorized', 'x')))).toBe(EXIT.wrongKey)
    expect(exitCodeFor(new CairnError('unauthorized', 'S3 refused'))).toBe(EXIT.failure)
    expect(exitCodeFor(new Error('boom'))).toBe(EXIT.failure)
  })
})

describe('CAIRN_MASTER_KEY_FILE', () => {
  it('reads hex or a recovery key', async () => {
    const key = generateMasterKey()
    const hex = join(dir, 'hex.key')
    writeFileSync(hex, `${Buffer.from(key).toString('hex')}\n`, { mode: 0o600 })
    expect(Buffer.from(await readKeyFile(hex)).equals(Buffer.from(key))).toBe(true)
    const code = join(dir, 'code.key')
    writeFileSync(code, `  ${formatRecoveryKey(key)}  \n`, { mode: 0o600 })
    expect(Buffer.from(await readKeyFile(code)).equals(Buffer.from(key))).toBe(true)
  })

  it('refuses files others can read, warns for group-readable ones', async () => {
    const file = join(dir, 'open.key')
    writeFileSync(file, Buffer.from(generateMasterKey()).toString('hex'))
    chmodSync(file, 0o644)
    await expect(readKeyFile(file)).rejects.toThrow(/chmod 600/)
    chmodSync(file, 0o640)
    const warnings: string[] = []
    await readKeyFile(file, (m) => warnings.push(m))
    expect(warnings.join()).toMatch(/group/)
  })

  it('explains a missing or malformed file', async () => {
    await expect(readKeyFile(join(dir, 'nope'))).rejects.toThrow(/does not exist/)
    const bad = join(dir, 'bad.key')
    writeFileSync(bad, 'not a key', { mode: 0o600 })
    await expect(readKeyFile(bad)).rejects.toThrow(/64 hexadecimal digits or a recovery key/)
  })
})

describe('formats and progress', () => {
  it('formats sizes, durations and modes', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1536)).toBe('1.50 KiB')
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.00 GiB')
    expect(formatDuration(42)).toBe('0:42')
    expect(formatDuration(3723)).toBe('1:02:03')
    expect(formatMode('dir', 0o755)).toBe('drwxr-xr-x')
    expect(formatMode('file', 0o4755)).toBe('-rwsr-xr-x')
    expect(formatMode('dir', 0o1777)).toBe('drwxrwxrwt')
  })

  it('draws one line with phase, percent, bytes, rate, ETA and path, cut to the width', () => {
    let now = 0
    let written = ''
    const p = new TerminalProgress(
      { write: (t: string) => (written += t), columns: 100 },
      0,
      () => now,
    )
    p.update({
      phase: 'reading',
      bytesDone: 0,
      bytesTotal: 1000 * 1024 * 1024,
      filesDone: 0,
      filesTotal: 10,
    })
    now = 1000
    p.update({
      bytesDone: 100 * 1024 * 1024,
      currentPath: `/home/dev/${'deep/'.repeat(20)}file.ts`,
    })
    now = 2000
    p.update({ bytesDone: 200 * 1024 * 1024, filesDone: 2 })
    const line = p.line(99)
    expect(line.length).toBeLessThanOrEqual(99)
    expect(line).toMatch(/^reading {2}\s*20%/)
    expect(line).toMatch(/MiB\/s/)
    expect(line).toMatch(/ETA/)
    expect(line).toMatch(/….*file\.ts$/)
    expect(written.startsWith('\r\x1b[2K')).toBe(true)
    p.done()
    expect(written.endsWith('\r\x1b[2K')).toBe(true)
  })

  it('parses verify shares', () => {
    expect(parseShare('1')).toBe(1)
    expect(parseShare('10%')).toBeCloseTo(0.1)
    expect(() => parseShare('0')).toThrow(/--share/)
    expect(() => parseShare('150%')).toThrow(/--share/)
  })
})
