import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const probe = resolve(__dirname, 'fixtures/keychain-probe.ts')

interface ProbeResult {
  getError: { code: string; message: string } | null
  status: { available: boolean; backend: string; message?: string }
  keychainStatus: { ok: boolean; output?: { available: boolean } }
  clearToken: { ok: boolean; error?: { code: string; message: string } }
  settings: { ok: boolean; output?: { hasHetznerToken: boolean } }
  ms: number
}

/** Runs the probe with only the environment a desktop-less machine would have. */
function runProbe(env: Record<string, string>, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((done, fail) => {
    const base: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' }
    const child = spawn(process.execPath, ['--import', 'tsx', probe, String(timeoutMs)], {
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('exit', (code, signal) => {
      clearTimeout(killer)
      // SIGKILL is how the probe ends itself when a keychain call is still hung.
      if (code !== 0 && signal !== 'SIGKILL')
        return fail(new Error(`probe exited ${code}: ${err.slice(0, 2000)}`))
      try {
        done(JSON.parse(out) as ProbeResult)
      } catch {
        fail(new Error(`probe printed no JSON: ${out.slice(0, 500)} ${err.slice(0, 2000)}`))
      }
    })
  })
}

function expectUnavailable(result: ProbeResult) {
  expect(result.getError?.code).toBe('keychain_unavailable')
  expect(result.getError?.message).toContain('gnome-keyring')
  expect(result.getError?.message).toContain('never falls back')
  expect(result.status).toMatchObject({ available: false, backend: 'Secret Service' })
  expect(result.keychainStatus).toMatchObject({ ok: true, output: { available: false } })
  expect(result.clearToken).toMatchObject({ ok: false, error: { code: 'keychain_unavailable' } })
  // Settings still load; the UI learns about the keychain from keychain.status.
  expect(result.settings).toMatchObject({ ok: true, output: { hasHetznerToken: false } })
}

describe.skipIf(process.platform !== 'linux')('without a Secret Service', () => {
  let home: string
  let silent: Server
  let silentSocket: string
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'cairn-nokeyring-'))
    // A D-Bus address where something accepts the connection and then never answers: libsecret
    // blocks on it, which is the hang the store's timeout exists for.
    silentSocket = join(home, 'silent-bus')
    silent = createServer((socket) => socket.on('data', () => {}))
    await new Promise<void>((r) => silent.listen(silentSocket, r))
  })
  afterAll(async () => {
    await new Promise<void>((r) => silent.close(() => r()))
    await rm(home, { recursive: true, force: true })
  })

  it('gives keychain_unavailable with instructions when the bus address points nowhere', async () => {
    const result = await runProbe(
      { HOME: home, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, 'no-such-bus')}` },
      15_000,
    )
    expectUnavailable(result)
    expect(result.ms).toBeLessThan(10_000)
  })

  it('gives keychain_unavailable when there is no bus address at all', async () => {
    const result = await runProbe({ HOME: home }, 15_000)
    expectUnavailable(result)
  })

  it('times out on a bus that never answers instead of hanging', async () => {
    const result = await runProbe(
      { HOME: home, DBUS_SESSION_BUS_ADDRESS: `unix:path=${silentSocket}` },
      1_500,
    )
    expectUnavailable(result)
    expect(result.getError?.message).toContain('did not answer')
    // One timed-out call; the rest were refused at once instead of queueing behind it.
    expect(result.ms).toBeLessThan(8_000)
  })
})
