import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasText, visible } from './pages/expect'
import { ActivityPage } from './pages/activity-page'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'
import { deleteAllWorkspaces, setUpStorage } from './support/workspace-setup'

/** Activity: every job with its outcome, duration and error, filtered in the page. */
const e2e = useE2E()
let storageDir = ''

beforeAll(async () => {
  storageDir = await setUpStorage(e2e, 'cairn-e2e-activity-')
})
afterAll(async () => {
  await deleteAllWorkspaces(e2e)
  await rm(storageDir, { recursive: true, force: true })
})

describe('Activity', () => {
  it('shows an empty state before any job', async () => {
    const page = await e2e.open()
    const activity = new ActivityPage(page)
    await activity.open()
    await hasText(activity.emptyState, 'Nothing has happened yet')
    expect(pageErrors(page)).toEqual([])
  })

  it('lists jobs newest first with outcome, duration and error, and filters them', async () => {
    // A create Hetzner refuses (no capacity, no fallback), then a create and a backup that work.
    await e2e.hetzner.control.inject(
      { method: 'POST', path: '/servers', code: 'placement_error', times: 1 },
      e2e.hetzner.project.id,
    )
    const doomed = await e2e.call('workspaces.create', {
      name: 'doomed',
      location: 'fsn1',
      serverType: 'cx22',
    })
    expect((await e2e.core.services.jobs.wait(doomed.id)).state).toBe('failed')
    const created = await e2e.call('workspaces.create', {
      name: 'alpha',
      location: 'fsn1',
      serverType: 'cx22',
    })
    expect((await e2e.core.services.jobs.wait(created.id)).error).toBeNull()
    const alpha = (await e2e.call('workspaces.list', {})).workspaces.find(
      (w) => w.name === 'alpha',
    )!
    const backup = await e2e.call('workspaces.backup', { id: alpha.id })
    expect((await e2e.core.services.jobs.wait(backup.id)).error).toBeNull()

    const page = await e2e.open()
    const activity = new ActivityPage(page)
    await activity.open()
    await expect.poll(() => activity.jobs.count()).toBe(3)
    // Newest first: the backup, the create, the failed create.
    expect(
      await activity.jobs.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))),
    ).toEqual(['backup', 'create', 'create'])
    const failed = activity.page.locator('[data-testid="job"][data-state="failed"]')
    await hasText(failed.getByTestId('job-error'), /other locations/)
    await hasText(activity.jobs.first().getByTestId('job-duration'), /^took (\d|under a second)/)
    await hasText(activity.count, '3 jobs, newest first')
    await screenshot(page, 'activity')

    await activity.filter('Outcome', 'failed')
    await expect.poll(() => activity.jobs.count()).toBe(1)
    await hasText(activity.count, '1 of 3 jobs')
    await activity.filter('Outcome', '')
    await activity.filter('Kind', 'backup')
    await expect.poll(() => activity.jobs.count()).toBe(1)
    await activity.filter('Kind', '')
    await activity.filter('Workspace', alpha.id)
    await expect.poll(() => activity.jobs.count()).toBe(2)
    await activity.filter('Workspace', '')
    await activity.search('OTHER LOCATIONS')
    await expect.poll(() => activity.jobs.count()).toBe(1)
    await activity.search('nothing matches this')
    await visible(activity.page.getByTestId('activity-no-match'))
    await activity.page.getByRole('button', { name: 'Clear filters' }).click()
    await expect.poll(() => activity.jobs.count()).toBe(3)
    expect(await activity.page.getByLabel('Search').inputValue()).toBe('')
    expect(pageErrors(page)).toEqual([])
  })
})
