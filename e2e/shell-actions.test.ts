import { describe, expect, it } from 'vitest'
import { AppShell } from './pages/app-shell'
import { hasText, hidden, visible } from './pages/expect'
import { Toasts } from './pages/toasts'
import { WorkspaceDetailPage } from './pages/workspace-detail-page'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'
import { useRunningWorkspace } from './support/workspace-setup'

/**
 * What the desktop shell and other windows do to the page, against the real core and a fake
 * Hetzner server (real sshd): app.navigate (the tray's "Show in Cairn", a notification clicked)
 * opens the workspace's page; pins from the timeline, followed live through
 * restorePoints.pinsChanged; a real idle warning's Keep running reaching the core.
 */
const e2e = useE2E()
const name = 'e2e-shell'
const workspace = useRunningWorkspace(e2e, name, 'cairn-e2e-shell-storage-')

async function openApp() {
  const page = await e2e.open()
  const shell = new AppShell(page)
  await shell.skipOnboarding()
  await shell.expectConnected()
  return page
}

describe('Shell actions in the page', () => {
  it("opens the workspace's page when the shell sends app.navigate, and the list again", async () => {
    const page = await openApp()
    const errors = pageErrors(page)
    const detail = new WorkspaceDetailPage(page)
    await visible(page.locator(`[data-testid="workspace"][data-name="${name}"]`))
    e2e.core.events.emit('app.navigate', { page: 'workspace', workspaceId: workspace.id })
    await visible(detail.root)
    await hasText(page.locator('h1'), name)
    e2e.core.events.emit('app.navigate', { page: 'workspaces' })
    await hidden(detail.root)
    await visible(page.locator(`[data-testid="workspace"][data-name="${name}"]`))
    expect(errors).toEqual([])
  })

  it('pins and unpins a restore point from its row, and follows pins changed elsewhere', async () => {
    const backup = await e2e.call('workspaces.backup', { id: workspace.id })
    expect((await e2e.core.services.jobs.wait(backup.id)).state).toBe('succeeded')
    const page = await openApp()
    const errors = pageErrors(page)
    const detail = new WorkspaceDetailPage(page)
    await detail.openFromList(name)
    const point = detail.points.first()
    await visible(point)
    const pointId = (await point.getAttribute('data-id'))!
    await hidden(point.getByTestId('restore-point-pinned'))

    const pin = point.getByTestId('restore-point-pin')
    expect(await pin.innerText()).toBe('Pin')
    expect(await pin.getAttribute('title')).toMatch(/kept by retention/)
    await pin.click()
    await visible(point.getByTestId('restore-point-pinned'))
    await hasText(pin, 'Unpin')
    await hasText(detail.restorePoints.getByTestId('restore-points-count'), '1 pinned')
    await screenshot(page, 'workspace-detail-pinned')
    // The row's actions (Start from here when stopped, Pin, Open) fit at the smallest window.
    await page.setViewportSize({ width: 1024, height: 700 })
    const row = await point.boundingBox()
    const open = await point.getByRole('button', { name: /^Open the restore point/ }).boundingBox()
    expect(open!.x + open!.width).toBeLessThanOrEqual(row!.x + row!.width)
    await page.screenshot({ path: 'test-results/screenshots/workspace-detail-pinned-1024.png' })
    await page.setViewportSize({ width: 1280, height: 800 })
    expect(
      (await e2e.call('restorePoints.pins', { workspaceId: workspace.id })).map(
        (p) => p.restorePointId,
      ),
    ).toEqual([pointId])

    await pin.click()
    await hidden(point.getByTestId('restore-point-pinned'))
    await hasText(pin, 'Pin')
    expect(await e2e.call('restorePoints.pins', { workspaceId: workspace.id })).toEqual([])

    // Another window (here: a call through the contract) pins: this page follows the event.
    await e2e.call('restorePoints.pin', { workspaceId: workspace.id, restorePoint: pointId })
    await visible(point.getByTestId('restore-point-pinned'))
    await e2e.call('restorePoints.unpin', { workspaceId: workspace.id, restorePoint: pointId })
    await hidden(point.getByTestId('restore-point-pinned'))
    expect(errors).toEqual([])
  }, 120_000)

  it('Keep running on a real idle warning postpones the stop in the core', async () => {
    const page = await openApp()
    const errors = pageErrors(page)
    // A one-minute timeout (below what the UI offers) so the warning comes after 30 s of idle,
    // with the stop at least two minutes after it: time enough to click.
    e2e.core.idle.setTimeoutMinutes(workspace.id, 1)
    await expect
      .poll(async () => (await e2e.core.idle.checkNow(workspace.id)).state, {
        timeout: 120_000,
        interval: 3_000,
      })
      .toBe('warn')
    const toasts = new Toasts(page)
    const warning = toasts.withTitle(`${name} stops in`)
    await visible(warning)
    await warning.getByRole('button', { name: 'Keep running' }).click()
    await hidden(warning)

    const status = (await e2e.call('idle.status', {})).find((s) => s.workspaceId === workspace.id)
    expect(status?.state).not.toBe('stopping')
    const postponed = Date.parse(status?.postponedUntil ?? '')
    expect(postponed - Date.now()).toBeGreaterThan(55 * 60_000)
    const ws = (await e2e.call('workspaces.list', {})).workspaces.find((w) => w.id === workspace.id)
    expect(ws?.state).toBe('running')
    expect(e2e.core.services.jobs.list().some((j) => j.kind === 'stop')).toBe(false)
    expect(errors).toEqual([])
  }, 180_000)
})
