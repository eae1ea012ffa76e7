import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasText, hidden, visible } from './pages/expect'
import { WorkspacesPage } from './pages/workspaces-page'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'

/**
 * The last step before a first workspace, on the Workspaces screen: with a token and storage set
 * but no repository in the storage yet, the user creates it there and sees the recovery key once.
 */
const e2e = useE2E()
let storageDir = ''

beforeAll(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'cairn-e2e-ws-setup-'))
  await e2e.call('hetzner.setToken', { token: e2e.hetzner.project.token })
  await e2e.call('storage.save', { config: { kind: 'folder', path: storageDir } })
})
afterAll(async () => {
  await rm(storageDir, { recursive: true, force: true })
})

describe('Workspaces: the repository step', () => {
  it('creates the repository from the Workspaces screen and shows the recovery key once', async () => {
    const page = await e2e.open()
    const workspaces = new WorkspacesPage(page)
    const step = page.getByTestId('repository-step')
    await hasText(step, 'One more step: create the repository')
    await hasText(step, storageDir)
    await workspaces.expectEmpty()
    expect(await workspaces.createButton.isDisabled()).toBe(true)
    await screenshot(page, 'workspaces-repository')

    await step.getByRole('button', { name: 'Create repository' }).click()
    const shown = page.getByTestId('recovery-key')
    await hasText(shown, 'keep your recovery key')
    const key = (await page.getByTestId('recovery-key-value').innerText()).trim()
    expect(key.length).toBeGreaterThan(20)
    expect((await e2e.call('repository.status', {})).state).toBe('ready')
    expect((await e2e.call('keys.status', {})).recoveryShownAt).not.toBeNull()
    await screenshot(page, 'workspaces-recovery-key')
    expect(await workspaces.createButton.isDisabled()).toBe(true)

    await shown.getByRole('button', { name: 'I have saved it' }).click()
    await hidden(shown)
    await hidden(step)
    expect(await workspaces.createButton.isDisabled()).toBe(false)

    // Never shown again, not even after a reload.
    await page.reload()
    await workspaces.expectEmpty()
    await visible(workspaces.createButton)
    expect(await page.getByTestId('recovery-key').count()).toBe(0)
    expect(await page.getByTestId('repository-step').count()).toBe(0)
    expect(await page.locator('body').innerText()).not.toContain(key)
    expect(pageErrors(page)).toEqual([])
  })
})
