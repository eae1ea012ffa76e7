import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { AppShell } from './pages/app-shell'
import { hasText, hidden, visible } from './pages/expect'
import { Toasts } from './pages/toasts'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'

/**
 * Notifications in the browser host: the core's real job events through the shared policy
 * (src/shared/desktop/notification-policy.ts) as toasts. Backups of a local folder into a folder
 * repository keep it fast; no server is needed for what is checked here.
 */
const e2e = useE2E()
let root = ''
let source = ''

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cairn-e2e-notify-'))
  source = join(root, 'source')
  await mkdir(join(source, 'src'), { recursive: true })
  await writeFile(join(source, 'README.md'), 'notes\n')
  await writeFile(join(source, 'src', 'main.ts'), 'console.log(1)\n')
  await mkdir(join(root, 'storage'))
  await e2e.call('storage.save', { config: { kind: 'folder', path: join(root, 'storage') } })
  await e2e.call('repository.init', {})
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})
beforeEach(async () => {
  await e2e.call('settings.setPreferences', { notificationLevel: 'all' })
})

async function backUp(path: string) {
  const job = await e2e.call('backup.start', {
    workspaceId: 'notes',
    source: { kind: 'local', path },
  })
  return e2e.core.services.jobs.wait(job.id)
}

async function openApp() {
  const page = await e2e.open()
  await new AppShell(page).skipOnboarding()
  await new AppShell(page).expectConnected()
  return page
}

describe('Notifications in the browser', () => {
  it('shows "Backup finished" when a backup ends, and it can be dismissed', async () => {
    const page = await openApp()
    const toasts = new Toasts(page)
    expect(await backUp(source)).toMatchObject({ state: 'succeeded' })

    const toast = toasts.withTitle('Backup finished')
    await hasText(toast, /2 files/)
    expect(await toasts.region.getAttribute('aria-live')).toBe('polite')
    await screenshot(page, 'notification-toast')
    await toasts.dismiss(toast)
    await hidden(toast)
    expect(pageErrors(page)).toEqual([])
  })

  it('coalesces backups that finish together into one toast', async () => {
    const page = await openApp()
    const toasts = new Toasts(page)
    await Promise.all([backUp(source), backUp(source)].map((p) => p.catch(() => null)))
    // A second backup of the same workspace is queued or refused; either way the ones that
    // finished within seconds share one toast.
    await visible(toasts.all)
    await expect.poll(() => toasts.all.count(), { timeout: 10_000 }).toBe(1)
    await hasText(toasts.all, /Backup finished|2 backups finished/)
  })

  it("at 'problems' a successful backup shows nothing but a failed one does", async () => {
    await e2e.call('settings.setPreferences', { notificationLevel: 'problems' })
    const page = await openApp()
    const toasts = new Toasts(page)
    expect(await backUp(source)).toMatchObject({ state: 'succeeded' })
    const failed = await backUp(join(root, 'no-such-folder'))
    expect(failed.state).toBe('failed')

    const toast = toasts.withTitle('Backup failed')
    await visible(toast)
    expect(await toast.getAttribute('role')).toBe('alert')
    expect(await toasts.withTitle('Backup finished').count()).toBe(0)
    await screenshot(page, 'notification-toast-failed')
  })

  it("at 'off' shows nothing", async () => {
    await e2e.call('settings.setPreferences', { notificationLevel: 'off' })
    const page = await openApp()
    const toasts = new Toasts(page)
    await backUp(join(root, 'no-such-folder'))
    // No event tells "nothing was shown": give the failed job's event time to arrive.
    await page.waitForTimeout(500)
    expect(await toasts.all.count()).toBe(0)
  })
})
