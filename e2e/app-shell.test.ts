import { describe, expect, it } from 'vitest'
import { ActivityPage } from './pages/activity-page'
import { AppShell } from './pages/app-shell'
import { hasText, visible } from './pages/expect'
import { SettingsPage } from './pages/settings-page'
import { WorkspacesPage } from './pages/workspaces-page'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'

/** What page-side callbacks use of the page's window (this file is typed for Node). */
type PageGlobals = { getComputedStyle(el: unknown): { outlineStyle: string } }

/** The window around the screens: navigation, empty states, live jobs, keyboard, connection. */
const e2e = useE2E()

describe('App shell', () => {
  it('opens on Workspaces, which sends a new user to Settings first', async () => {
    const page = await e2e.open()
    const workspaces = new WorkspacesPage(page)
    // A new user gets onboarding first (e2e/onboarding.test.ts); this is the way around it.
    await workspaces.shell.skipOnboarding()
    await hasText(workspaces.setupPointer, 'Cairn still needs a Hetzner Cloud API token')
    await new AppShell(page).expectConnected()
    await screenshot(page, 'workspaces-setup')
    await workspaces.setupPointer.getByRole('button', { name: 'Open Settings' }).click()
    await visible(new SettingsPage(page).hetzner)
    expect(await workspaces.shell.currentSection()).toBe('Settings')
    expect(pageErrors(page)).toEqual([])
  })

  it('lists jobs live from job.updated events, and cancels one', async () => {
    const page = await e2e.open()
    const activity = new ActivityPage(page)
    await activity.open()
    await hasText(activity.emptyState, 'Nothing has happened yet')
    await screenshot(page, 'activity-empty')

    // A job in the core of this process; the page learns of it only through events.
    let progress: ((n: number) => void) | null = null
    const job = e2e.core.services.jobs.start(
      'check',
      { workspaceId: null, title: 'Check restore points of demo' },
      (ctx) =>
        new Promise<void>((_resolve, reject) => {
          progress = (n) => ctx.progress({ phase: 'Reading packs', bytesDone: n, bytesTotal: 1000 })
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))
        }),
    )
    await hasText(activity.jobs.first(), 'Check restore points of demo')
    await hasText(activity.jobs.first(), 'Running')
    progress!(400)
    await hasText(activity.jobs.first(), 'Reading packs')
    await hasText(activity.jobs.first(), '400 B of 1000 B')
    await screenshot(page, 'activity-running')
    await activity.jobs.first().getByRole('button', { name: 'Cancel' }).click()
    await hasText(activity.jobs.first(), 'Cancelled')
    expect((await e2e.core.services.jobs.wait(job.id)).state).toBe('cancelled')
  })

  it('is usable from the keyboard, with every input labelled', async () => {
    const page = await e2e.open()
    await new AppShell(page).skipOnboarding()
    await new AppShell(page).expectConnected()
    // The skip link first, then the sidebar.
    await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Settings')
    await page.keyboard.press('Enter')
    const settings = new SettingsPage(page)
    await visible(settings.tokenInput)
    // Every field has a label the browser knows about.
    const unlabelled = await page.evaluate(`[...document.querySelectorAll('input')]
      .filter((i) => i.type !== 'hidden' && i.labels.length === 0 && !i.getAttribute('aria-label'))
      .map((i) => i.name)`)
    expect(unlabelled).toEqual([])
    // Focus is visible: the focused element gets an outline.
    await settings.tokenInput.focus()
    const outline = await settings.tokenInput.evaluate(
      (el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).outlineStyle,
    )
    expect(outline).toBe('solid')
  })

  it('holds its layout at 1024x700 without sideways scrolling', async () => {
    await e2e.call('hetzner.setToken', { token: e2e.hetzner.project.token })
    const page = await e2e.open({ viewport: { width: 1024, height: 700 } })
    const settings = new SettingsPage(page)
    await settings.open()
    await settings.expectCatalog()
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')
    expect(overflow).toBeLessThanOrEqual(0)
    await e2e.call('hetzner.clearToken', {})
  })

  it('tells a page without the access token that it is not allowed in', async () => {
    const page = await e2e.open({ withoutToken: true })
    const shell = new AppShell(page)
    await shell.expectBanner('Cairn did not accept this page')
    await screenshot(page, 'connection-unauthorized')
  })

  it('says so when the host goes away', async () => {
    const page = await e2e.open()
    const shell = new AppShell(page)
    await shell.skipOnboarding()
    await shell.expectConnected()
    await e2e.stopHost()
    await shell.expectBanner('Lost the connection to Cairn')
    await hasText(shell.connection, 'Disconnected')
    await screenshot(page, 'connection-lost')
  })
})
