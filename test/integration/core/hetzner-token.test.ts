import { createServer } from 'node:net'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SECRET_SERVICE } from '../../../src/main/core/secrets/secret-store'
import { cloudInfo, hetznerControl, newHetznerProject } from '../../support/cloud-info'
import { keytar, startHarness, type Harness } from './core-harness'

const ACCOUNT = 'hetzner-token'

describe('hetzner.setToken / catalog / clearToken through dispatch', () => {
  let h: Harness
  let project: Awaited<ReturnType<typeof newHetznerProject>>
  const control = () => hetznerControl()

  beforeAll(async () => {
    project = await newHetznerProject()
  })
  afterEach(async () => {
    await control().clearFaults(project.id)
    await h?.close()
  })

  const start = async () => {
    h = await startHarness()
    const set = await h.call('settings.setHetznerApiBase', { url: `${project.url}` })
    expect(set.ok).toBe(true)
    return h
  }

  it('accepts a valid token: returns locations and priced server types, stores it in the keychain only', async () => {
    await start()
    const result = await h.call('hetzner.setToken', { token: project.token })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const catalog = result.output as {
      locations: Array<{ name: string }>
      serverTypes: Array<{
        name: string
        prices: Array<{ location: string; hourlyNet: string; monthlyGross: string }>
      }>
    }
    expect(catalog.locations.length).toBeGreaterThan(0)
    expect(catalog.serverTypes.length).toBeGreaterThan(0)
    const priced = catalog.serverTypes.find((t) => t.prices.length > 0)!
    expect(priced.prices[0]!.hourlyNet).toMatch(/^\d+\.\d+$/)
    expect(priced.prices[0]!.monthlyGross).toMatch(/^\d+\.\d+$/)

    expect(await (await keytar()).getPassword(h.service, ACCOUNT)).toBe(project.token)
    const settings = await h.call('settings.get')
    expect(settings).toMatchObject({ ok: true, output: { hasHetznerToken: true } })
    expect(
      h.events.some(
        (e) =>
          e.event === 'settings.changed' &&
          (e.payload as { hasHetznerToken: boolean }).hasHetznerToken,
      ),
    ).toBe(true)
    // Never on disk: not in settings.json, jobs.json or the log.
    const disk = await h.filesOnDisk()
    expect(disk).toContain('"schemaVersion": 1')
    expect(disk).not.toContain(project.token)

    // The catalog call uses the stored token.
    const again = await h.call('hetzner.catalog')
    expect(again.ok).toBe(true)

    const cleared = await h.call('hetzner.clearToken')
    expect(cleared).toMatchObject({ ok: true, output: { hasHetznerToken: false } })
    expect(await (await keytar()).getPassword(h.service, ACCOUNT)).toBeNull()
    expect(await h.call('hetzner.catalog')).toMatchObject({
      ok: false,
      error: { code: 'not_configured' },
    })
  })

  it('refuses a wrong token with instructions, and leaves the stored token untouched', async () => {
    await start()
    expect((await h.call('hetzner.setToken', { token: project.token })).ok).toBe(true)
    const wrong = 'Wr0ngTokenWr0ngTokenWr0ngTokenWr0ngTokenWr0ngTokenWr0ngTokenAbCd'
    const result = await h.call('hetzner.setToken', { token: wrong })
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'unauthorized',
        message:
          'Hetzner refused this API token. Create a Read & Write token in the Hetzner Cloud Console → Security → API tokens, and paste it again.',
      },
    })
    expect(await (await keytar()).getPassword(h.service, ACCOUNT)).toBe(project.token)
    expect(await h.filesOnDisk()).not.toContain(wrong)
  })

  it('reports an exhausted rate limit as rate_limited with when to retry, and stores nothing', async () => {
    await start()
    await control().inject({ path: '/locations', code: 'rate_limit_exceeded' }, project.id)
    const started = Date.now()
    const result = await h.call('hetzner.setToken', { token: project.token })
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', message: expect.stringMatching(/try again in about \d+ s/i) },
    })
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(await (await keytar()).getPassword(h.service, ACCOUNT)).toBeNull()
  })

  it('rides out a short rate limit (RateLimit headers) and stores the token', async () => {
    await start()
    await control().inject(
      { path: '/server_types', code: 'rate_limit_exceeded', times: 1 },
      project.id,
    )
    const result = await h.call('hetzner.setToken', { token: project.token })
    expect(result.ok).toBe(true)
    expect(await (await keytar()).getPassword(h.service, ACCOUNT)).toBe(project.token)
  })

  it('retries 503s and succeeds', async () => {
    await start()
    await control().inject({ path: '/locations', code: 'unavailable', times: 2 }, project.id)
    const result = await h.call('hetzner.setToken', { token: project.token })
    expect(result.ok).toBe(true)
  })

  it('passes on other Hetzner errors with their code, and stores nothing', async () => {
    await start()
    await control().inject({ path: '/server_types', code: 'unavailable' }, project.id)
    const result = await h.call('hetzner.setToken', { token: project.token })
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'remote_error', message: expect.stringContaining('unavailable') },
    })
    expect(await (await keytar()).getPassword(h.service, ACCOUNT)).toBeNull()
  })

  it('reports an unreachable API as unreachable, naming the host, quickly, and stores nothing', async () => {
    await start()
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const { port } = closed.address() as { port: number }
    await new Promise<void>((r) => closed.close(() => r()))
    await h.call('settings.setHetznerApiBase', { url: `http://127.0.0.1:${port}/v1` })
    const started = Date.now()
    const result = await h.call('hetzner.setToken', { token: project.token })
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'unreachable', message: expect.stringContaining(`127.0.0.1:${port}`) },
    })
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(await (await keytar()).getPassword(h.service, ACCOUNT)).toBeNull()
  })
})

describe('the default keychain', () => {
  it('is the Secret Service of the session, under the service name Cairn', async () => {
    expect(SECRET_SERVICE).toBe('Cairn')
    expect(cloudInfo().keyring.env.DBUS_SESSION_BUS_ADDRESS).toBe(
      process.env.DBUS_SESSION_BUS_ADDRESS,
    )
    const { createCore } = await import('../../../src/main/core/app')
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const dir = await mkdtemp(join(tmpdir(), 'cairn-default-keychain-'))
    const core = await createCore({ dataDir: dir, host: 'headless', version: 't' })
    try {
      expect(await core.handlers['keychain.status']({}, { host: 'headless' })).toEqual({
        available: true,
        backend: 'Secret Service',
      })
    } finally {
      await core.dispose()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
