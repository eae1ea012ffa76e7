import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hasText, hidden, visible } from './pages/expect'
import { WorkspaceDetailPage } from './pages/workspace-detail-page'
import { WorkspacesPage } from './pages/workspaces-page'
import { failCalls } from './support/fail-calls'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'
import { sshTo, useRunningWorkspace } from './support/workspace-setup'

/**
 * The workspace detail page against the real core, the local cloud's fake Hetzner (its servers
 * are real sshd) and a folder as storage: facts, Back up now with live progress, the restore point
 * timeline and storage chart following restorePoints.changed events, its empty and error states.
 */
const e2e = useE2E()
const name = 'e2e-detail'
const workspace = useRunningWorkspace(e2e, name, 'cairn-e2e-detail-storage-')

const ssh = (command: string, input?: Buffer) => sshTo(e2e, `cairn-${name}`, command, input)

async function backUp(): Promise<void> {
  const job = await e2e.call('workspaces.backup', { id: workspace.id })
  const done = await e2e.core.services.jobs.wait(job.id)
  expect(done.state).toBe('succeeded')
}

describe('Workspace detail', () => {
  it('shows an empty timeline, then follows backups: progress, new restore points, the chart', async () => {
    const page = await e2e.open()
    const list = new WorkspacesPage(page)
    await list.expectState(name, 'running')
    const detail = new WorkspaceDetailPage(page)
    await detail.openFromList(name)

    // Facts of a running Hetzner workspace.
    expect(await detail.state()).toBe('running')
    await hasText(detail.fact('workspace-state'), 'Running')
    await hasText(detail.fact('workspace-ip'), /\d+\.\d+\.\d+\.\d+/)
    await hasText(detail.fact('workspace-cost'), /€/)
    await hasText(detail.fact('workspace-last-backup'), /none yet/)
    await hasText(detail.fact('workspace-point-count'), '0 restore points')

    // No restore point yet: the empty state says how to get one.
    await hasText(detail.empty, 'Back up now')
    expect(await detail.chart.count()).toBe(0)
    await detail.dismissToasts()
    await screenshot(page, 'workspace-detail-empty')

    // Backups made elsewhere (schedule, CLI, another tab) arrive as events: no reload.
    await ssh('mkdir -p ~/project && cat > ~/project/a.bin', randomBytes(400_000))
    await backUp()
    await expect.poll(() => detail.points.count(), { timeout: 30_000 }).toBe(1)
    await ssh('cat > ~/project/b.bin', randomBytes(900_000))
    await backUp()
    await ssh('cat > ~/project/c.bin', randomBytes(250_000))
    await backUp()
    await expect.poll(() => detail.points.count(), { timeout: 30_000 }).toBe(3)
    await visible(detail.chart.locator('svg[role="img"]'))
    expect(await detail.chart.locator('desc').textContent()).toMatch(/^3 restore points from /)
    await hasText(detail.fact('workspace-point-count'), '3 restore points')

    // A pin shows on its restore point once the timeline is listed again (pins live in storage).
    const points = (await e2e.call('restorePoints.list', { workspaceId: workspace.id }))
      .restorePoints
    await e2e.call('restorePoints.pin', { workspaceId: workspace.id, restorePoint: points[0]!.id })

    // Back up now: live progress on the page, then a fourth restore point at the top.
    await ssh('cat > ~/project/d.bin', randomBytes(600_000))
    await detail.action('Back up now').click()
    await visible(detail.jobProgress)
    await visible(detail.jobProgress.getByRole('progressbar'))
    await hidden(detail.jobProgress, 60_000)
    await expect.poll(() => detail.points.count(), { timeout: 30_000 }).toBe(4)
    await hasText(detail.fact('workspace-last-backup'), /just now|min ago/)
    const newest = (
      await e2e.call('restorePoints.list', { workspaceId: workspace.id })
    ).restorePoints.at(-1)!
    expect(await detail.points.first().getAttribute('data-id')).toBe(newest.id)
    await hasText(detail.points.first(), 'latest')
    await hasText(detail.points.first(), 'Back up now')
    expect(await detail.chart.locator('desc').textContent()).toMatch(/^4 restore points from /)

    // Back and in again: the timeline is listed again and shows the pin.
    await detail.back.click()
    await visible(list.workspace(name))
    await detail.openFromList(name)
    await visible(detail.timeline.getByTestId('restore-point-pinned'))
    await hasText(detail.restorePoints, '1 pinned')
    await detail.dismissToasts()
    await screenshot(page, 'workspace-detail')

    // The page holds at 1024x700 without sideways scrolling.
    await page.setViewportSize({ width: 1024, height: 700 })
    expect(
      await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
    ).toBeLessThanOrEqual(0)
    expect(pageErrors(page)).toEqual([])
  }, 240_000)

  it('shows why the restore points could not be listed, and lists them on Retry', async () => {
    const page = await e2e.open()
    const failing = { methods: new Set(['restorePoints.list']) }
    await failCalls(page, failing)
    await page.reload()
    const list = new WorkspacesPage(page)
    await visible(list.workspace(name))
    const detail = new WorkspaceDetailPage(page)
    await detail.openFromList(name)
    await hasText(detail.error, 'The storage did not answer')
    await hasText(detail.error, 'The restore points could not be listed')
    failing.methods.clear()
    await detail.error.getByRole('button', { name: 'Retry' }).click()
    await hidden(detail.error)
    await expect.poll(() => detail.points.count()).toBeGreaterThan(0)
    expect(pageErrors(page)).toEqual([])
  })

  it('offers the restore points to start from once stopped, and says what a start does', async () => {
    const stop = await e2e.call('workspaces.stop', { id: workspace.id })
    expect((await e2e.core.services.jobs.wait(stop.id)).state).toBe('succeeded')
    const page = await e2e.open()
    const list = new WorkspacesPage(page)
    await list.expectState(name, 'stopped')
    const detail = new WorkspaceDetailPage(page)
    await detail.openFromList(name)
    await hasText(detail.fact('workspace-ip'), 'none')
    const points = (await e2e.call('restorePoints.list', { workspaceId: workspace.id }))
      .restorePoints
    // The second restore point, chosen in the timeline (newest first).
    const chosen = points[1]!
    await detail.timeline
      .locator(`[data-id="${chosen.id}"]`)
      .getByRole('button', { name: /^Start from/ })
      .click()
    await visible(detail.startDialog)
    expect(await detail.startDialog.getByLabel('Restore point').inputValue()).toBe(chosen.id)
    await hasText(detail.startDialog.getByTestId('start-summary'), /Cairn creates a new server/)
    await detail.dismissToasts()
    await screenshot(page, 'workspace-detail-start')
    await detail.startDialog.getByRole('button', { name: 'Start workspace' }).click()
    await hidden(detail.startDialog)
    await visible(detail.jobProgress)
    await expect.poll(() => detail.state(), { timeout: 120_000 }).toBe('running')
    await hidden(detail.jobProgress, 60_000)
    const job = (await e2e.call('jobs.list', {})).find(
      (j) => j.kind === 'start' && j.workspaceId === workspace.id,
    )
    expect(job?.state).toBe('succeeded')
    expect(pageErrors(page)).toEqual([])
  }, 240_000)
})
