import { createServer } from 'node:net'
import { beforeEach, describe, expect, it } from 'vitest'
import { hasText, hidden, visible } from './pages/expect'
import { SettingsPage } from './pages/settings-page'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'

/**
 * The Hetzner half of Settings, in Chromium against the real core and headless host, with the
 * local cloud's fake Hetzner API behind it. Tokens are this file's own fake project's.
 */
const e2e = useE2E()

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** Records whether the token form ever showed its busy state, however briefly. */
async function watchBusy(settings: SettingsPage): Promise<() => Promise<boolean>> {
  await settings.page.evaluate(`(() => {
    window.__sawBusy = false
    const section = document.querySelector('[data-testid="hetzner-section"]')
    new MutationObserver(() => {
      const button = section.querySelector('button[type="submit"]')
      if (button && button.getAttribute('aria-busy') === 'true' && button.disabled) window.__sawBusy = true
    }).observe(section, { subtree: true, attributes: true, childList: true })
  })()`)
  return async () => (await settings.page.evaluate('window.__sawBusy')) === true
}

function euros(text: string): number {
  return Number(text.replace(/[€,]|\/mo|\/h/g, ''))
}

describe('Settings: Hetzner Cloud token', () => {
  beforeEach(async () => {
    await e2e.call('hetzner.clearToken', {})
    await e2e.call('settings.setHetznerApiBase', { url: e2e.hetzner.apiBase })
    await e2e.hetzner.control.reset(e2e.hetzner.project.id)
  })

  it('checks a valid token, stores it in the keychain and shows locations and priced server types', async () => {
    const page = await e2e.open()
    const settings = new SettingsPage(page)
    await settings.open()
    await hasText(settings.keychainStatus, 'Keychain available')
    await visible(settings.tokenInput)
    await hasText(settings.storage, 'S3 / Cloudflare R2')
    await screenshot(page, 'settings-empty')

    const sawBusy = await watchBusy(settings)
    await settings.enterHetznerToken(e2e.hetzner.project.token)
    await settings.expectTokenSaved()
    expect(await sawBusy()).toBe(true)
    expect(await e2e.keychain.hetznerToken()).toBe(e2e.hetzner.project.token)

    await settings.expectCatalog()
    const falkenstein = settings.location('fsn1')
    await hasText(falkenstein, 'Falkenstein')
    await hasText(falkenstein, 'Germany')
    expect(await falkenstein.locator('input').isChecked()).toBe(true)
    await hasText(settings.location('hel1'), 'Finland')
    await hasText(settings.location('sin'), 'Singapore')

    // Gross prices (19% VAT) of the fake API's catalog, rounded as the UI shows them.
    expect(await settings.price('cx22')).toEqual({ hourly: '€0.0071/h', monthly: '€4.51/mo' })
    expect(await settings.price('cax11')).toEqual({ hourly: '€0.0073/h', monthly: '€4.51/mo' })
    const row = await settings.serverType('cx22').innerText()
    expect(row.replace(/\s+/g, ' ')).toContain('cx22 2 4 GB 40 GB Shared x86')
    const order = await settings.serverTypeOrder()
    expect(order[0]).toBe('cx22')
    const monthly = await settings.catalog.locator('[data-price="monthly"]').allInnerTexts()
    const values = monthly.map(euros)
    expect(values).toEqual([...values].sort((a, b) => a - b))
    // The deprecated cx11 is hidden until asked for, then marked.
    expect(order).not.toContain('cx11')
    await settings.catalog.getByLabel(/Show 1 deprecated/).check()
    await hasText(settings.serverType('cx11'), 'Deprecated')
    await settings.catalog.getByLabel(/Show 1 deprecated/).uncheck()
    await hidden(settings.serverType('cx11'))

    await screenshot(page, 'hetzner-catalog', settings.hetzner)

    // Another location: its own prices, and only the types offered there.
    await settings.chooseLocation('ash')
    await hasText(settings.catalog, 'Server types in Ashburn, VA')
    expect(await settings.price('cpx11')).toEqual({ hourly: '€0.0095/h', monthly: '€5.94/mo' })
    expect(await settings.serverTypeOrder()).not.toContain('cx22')
    expect(pageErrors(page)).toEqual([])
  })

  it('shows a stored token after a reload and loads the catalog with it; Remove clears the keychain', async () => {
    await e2e.call('hetzner.setToken', { token: e2e.hetzner.project.token })
    const page = await e2e.open()
    const settings = new SettingsPage(page)
    await settings.open()
    await settings.expectTokenStored()
    await settings.expectCatalog()
    expect(await settings.price('cx22')).toEqual({ hourly: '€0.0071/h', monthly: '€4.51/mo' })

    await settings.removeToken()
    await hidden(settings.catalog)
    expect(await e2e.keychain.hetznerToken()).toBeNull()
    expect((await e2e.call('settings.get', {})).hasHetznerToken).toBe(false)
  })

  it('refuses a wrong token with the unauthorized message and stores nothing', async () => {
    const page = await e2e.open()
    const settings = new SettingsPage(page)
    await settings.open()
    await settings.enterHetznerToken('wrong-token-' + 'x'.repeat(52))
    const text = await settings.expectHetznerError('unauthorized', 'Hetzner refused this token')
    expect(text).toContain('Nothing was stored.')
    expect(await e2e.keychain.hetznerToken()).toBeNull()
    expect(await e2e.keychain.accounts()).toEqual([])
    await visible(settings.tokenInput)
    await screenshot(page, 'hetzner-wrong-token', settings.hetzner)
  })

  it('keeps the working token when a replacement is refused', async () => {
    await e2e.call('hetzner.setToken', { token: e2e.hetzner.project.token })
    const page = await e2e.open()
    const settings = new SettingsPage(page)
    await settings.open()
    await settings.expectTokenStored()
    await settings.page
      .getByTestId('hetzner-token-stored')
      .getByRole('button', { name: 'Replace' })
      .click()
    await settings.enterHetznerToken('another-wrong-token')
    await settings.expectHetznerError('unauthorized', 'Hetzner refused this token')
    expect(await e2e.keychain.hetznerToken()).toBe(e2e.hetzner.project.token)
  })

  it('reports Hetzner rate limiting and stores nothing', async () => {
    await e2e.hetzner.control.inject({ code: 'rate_limit_exceeded' }, e2e.hetzner.project.id)
    const page = await e2e.open()
    const settings = new SettingsPage(page)
    await settings.open()
    await settings.enterHetznerToken(e2e.hetzner.project.token)
    const text = await settings.expectHetznerError(
      'rate_limited',
      'Hetzner is rate-limiting requests',
    )
    expect(text).toMatch(/try again in/i)
    expect(await e2e.keychain.hetznerToken()).toBeNull()
    await screenshot(page, 'hetzner-rate-limited', settings.hetzner)
  })

  it('reports an unreachable API address, set under Advanced', async () => {
    const port = await closedPort()
    const page = await e2e.open()
    const settings = new SettingsPage(page)
    await settings.open()
    await settings.setHetznerApiBase(`http://127.0.0.1:${port}/v1`)
    expect((await e2e.call('settings.get', {})).hetznerApiBase).toBe(`http://127.0.0.1:${port}/v1`)
    await settings.enterHetznerToken(e2e.hetzner.project.token)
    const text = await settings.expectHetznerError(
      'unreachable',
      `Cannot reach the Hetzner API at 127.0.0.1:${port}`,
    )
    expect(text).toContain('Nothing was stored.')
    expect(await e2e.keychain.hetznerToken()).toBeNull()
    await screenshot(page, 'hetzner-unreachable', settings.hetzner)
  })

  it('rejects a malformed API address without a call, and an oversized token with invalid_input', async () => {
    const page = await e2e.open()
    const settings = new SettingsPage(page)
    await settings.open()
    const advanced = await settings.advanced()
    await advanced.getByLabel('API base URL').fill('api.hetzner.cloud')
    await advanced.getByRole('button', { name: 'Save address' }).click()
    await hasText(advanced, 'Enter a full URL')
    expect((await e2e.call('settings.get', {})).hetznerApiBase).toBe(e2e.hetzner.apiBase)

    await settings.enterHetznerToken('x'.repeat(201))
    await settings.expectHetznerError(
      'invalid_input',
      'This does not look like a Hetzner API token',
    )
    expect(await e2e.keychain.hetznerToken()).toBeNull()
  })
})
