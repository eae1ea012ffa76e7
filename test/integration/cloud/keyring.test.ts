import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startKeyring } from '../../../cloud/keyring'
import type { LocalKeyring } from '../../../cloud/keyring'
import { cloudInfo } from '../../support/cloud-info'

// The private Secret Service: keytar in a child process stores, reads and deletes secrets in it;
// nothing reaches the machine's own keyring or home.

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '../../..')

/** Runs keytar in a fresh Node process with the given extra env; prints one JSON line. */
async function keytar(env: Record<string, string>, script: string): Promise<unknown> {
  const code = `const k = require('keytar');
(async () => { ${script} })().then((r) => console.log(JSON.stringify(r ?? null)), (e) => { console.error(e.message); process.exit(1) })`
  const { stdout } = await run(process.execPath, ['-e', code], {
    cwd: root,
    env: { ...process.env, ...env },
    timeout: 20_000,
  })
  return JSON.parse(stdout.trim())
}

async function snapshot(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return []
  const names = await readdir(dir)
  return Promise.all(names.map(async (n) => `${n}:${(await stat(path.join(dir, n))).mtimeMs}`))
}

let second: LocalKeyring
const realKeyrings = path.join(homedir(), '.local/share/keyrings')
let realBefore: string[]

beforeAll(async () => {
  realBefore = await snapshot(realKeyrings)
  second = await startKeyring()
})

afterAll(async () => {
  await second.stop()
})

describe('private keyring', () => {
  it('is what test workers see in their environment', () => {
    const { env } = cloudInfo().keyring
    expect(env.DBUS_SESSION_BUS_ADDRESS).toMatch(/^unix:path=.*cairn-keyring-/)
    expect(process.env.DBUS_SESSION_BUS_ADDRESS).toBe(env.DBUS_SESSION_BUS_ADDRESS)
  })

  it('stores, reads and deletes secrets through keytar in a child process', async () => {
    const { env } = cloudInfo().keyring
    const account = `acct-${process.pid}-${Date.now()}`
    const result = await keytar(
      env,
      `await k.setPassword('cairn-keyring-test', '${account}', 's3cr3t-value')
       const read = await k.getPassword('cairn-keyring-test', '${account}')
       const deleted = await k.deletePassword('cairn-keyring-test', '${account}')
       const after = await k.getPassword('cairn-keyring-test', '${account}')
       return { read, deleted, after }`,
    )
    expect(result).toEqual({ read: 's3cr3t-value', deleted: true, after: null })
  })

  it('keeps keyrings apart and writes only into its temp dir', async () => {
    await keytar(
      cloudInfo().keyring.env,
      `await k.setPassword('cairn-keyring-test', 'apart', 'in-the-shared-one')`,
    )
    expect(
      await keytar(second.env, `return k.getPassword('cairn-keyring-test', 'apart')`),
    ).toBeNull()
    await keytar(
      second.env,
      `await k.setPassword('cairn-keyring-test', 'apart', 'in-the-second-one')`,
    )
    expect(
      await keytar(cloudInfo().keyring.env, `return k.getPassword('cairn-keyring-test', 'apart')`),
    ).toBe('in-the-shared-one')
    await keytar(cloudInfo().keyring.env, `await k.deletePassword('cairn-keyring-test', 'apart')`)

    expect(existsSync(path.join(second.dir, 'home/.local/share/keyrings/login.keyring'))).toBe(true)
    expect(await snapshot(realKeyrings)).toEqual(realBefore)
  })
})
