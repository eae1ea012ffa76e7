import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasText, hidden, visible } from './pages/expect'
import { SettingsPage } from './pages/settings-page'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'

/**
 * Settings beyond accounts: schedules and retention of a real workspace, preferences, and master
 * key rotation against a real repository, through the real core, driven from Chromium.
 */
const e2e = useE2E()
let storageDir = ''
let workspaceId = ''

beforeAll(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'cairn-e2e-settings-general-'))
  await e2e.call('hetzner.setToken', { token: e2e.hetzner.project.token })
  await e2e.call('storage.save', { config: { kind: 'folder', path: storageDir } })
  await e2e.call('repository.init', {})
  await e2e.call('keys.exportRecovery', { again: false })
  const job = await e2e.call('workspaces.create', {
    name: 'settings-ws',
    location: 'fsn1',
    serverType: 'cx22',
  })
  await e2e.core.services.jobs.wait(job.id)
  const ws = (await e2e.call('workspaces.list', {})).workspaces.find(
    (w) => w.name === 'settings-ws',
  )
  if (!ws) throw new Error('the workspace was not created')
  workspaceId = ws.id
  for (let i = 0; i < 2; i++) {
    const backup = await e2e.call('workspaces.backup', { id: workspaceId })
    await e2e.core.services.jobs.wait(backup.id)
  }
  expect((await e2e.call('restorePoints.list', { workspaceId })).restorePoints.length).toBe(2)
}, 240_000)
afterAll(async () => {
  if (workspaceId) {
    const job = await e2e.call('workspaces.delete', { id: workspaceId, confirmName: 'settings-ws' })
    await e2e.core.services.jobs.wait(job.id)
  }
  await rm(storageDir, { recursive: true, force: true })
})

async function openSettings(colorScheme?: 'light' | 'dark') {
  const page = await e2e.open(colorScheme ? { colorScheme } : {})
  const settings = new SettingsPage(page)
  await settings.open()
  return settings
}

describe('Settings: backups, general, security', () => {
  it('changes a schedule and retention, refuses bad values with messages, previews a policy', async () => {
    const settings = await openSettings()
    await settings.tab('Backups')
    const row = settings.scheduleRow(workspaceId)
    await visible(row)
    await hasText(row, 'settings-ws')

    // Bad values: messages in the page, nothing sent.
    await row.getByLabel('Minutes between backups').fill('2')
    await row.getByLabel('Hours between verifies').fill('abc')
    await row.getByRole('button', { name: 'Save schedule' }).click()
    expect(await settings.inputError(row, 'Minutes between backups')).toBe(
      'Use 5 to 44,640 for the minutes between backups.',
    )
    expect(await settings.inputError(row, 'Hours between verifies')).toBe(
      'Use a whole number for the hours between verifies.',
    )
    expect((await e2e.call('schedules.get', { workspaceId })).backupEveryMinutes).toBe(120)

    await row.getByLabel('Minutes between backups').fill('45')
    await row.getByLabel('Verify restore points').uncheck()
    await row.getByRole('button', { name: 'Save schedule' }).click()
    await hasText(row, 'Saved.')
    expect(await e2e.call('schedules.get', { workspaceId })).toMatchObject({
      backupEveryMinutes: 45,
      verifyEveryHours: null,
      applyRetention: true,
    })

    // Retention: a bad value, then keep only the last one and preview it.
    const form = settings.retention
    await visible(form)
    await hasText(form, 'uses the default policy')
    await form.getByLabel('Keep the last').fill('-1')
    await form.getByRole('button', { name: 'Save policy' }).click()
    expect(await settings.inputError(form, 'Keep the last')).toBe(
      'Use a whole number for "Keep the last".',
    )
    for (const [label, value] of [
      ['Keep the last', '1'],
      ['Hourly', '0'],
      ['Daily', '0'],
      ['Weekly', '0'],
      ['Monthly', '0'],
      ['Everything within (hours)', '0'],
    ] as const) {
      await form.getByLabel(label, { exact: true }).fill(value)
    }
    await form.getByRole('button', { name: 'Preview what would be removed' }).click()
    const preview = settings.page.getByTestId('retention-preview')
    await hasText(preview, '1 of 2 restore points would be removed; 1 kept.')
    await hasText(preview, 'Nothing was changed')
    expect((await e2e.call('restorePoints.list', { workspaceId })).restorePoints.length).toBe(2)
    await screenshot(settings.page, 'settings-backups')

    await form.getByRole('button', { name: 'Save policy' }).click()
    await hasText(form, 'Saved.')
    const retention = await e2e.call('retention.get', { workspaceId })
    expect(retention.custom).toBe(true)
    expect(retention.policy).toMatchObject({ keepLast: 1, keepDaily: 0, keepWithinHours: 0 })

    // After a reload, the page shows what the core keeps.
    await settings.page.reload()
    await settings.open()
    await settings.tab('Backups')
    await expect
      .poll(() =>
        settings.scheduleRow(workspaceId).getByLabel('Minutes between backups').inputValue(),
      )
      .toBe('45')
    await hasText(settings.retention, 'has its own policy')
    expect(await settings.retention.getByLabel('Keep the last').inputValue()).toBe('1')
    expect(pageErrors(settings.page)).toEqual([])
  })

  it('keeps the notification level and launch at login', async () => {
    const settings = await openSettings()
    await settings.tab('General')
    const levels = settings.page.getByTestId('notification-level')
    await settings.page.getByRole('radio', { name: /Warnings and errors/ }).click()
    await hasText(levels, 'Saved.')
    expect((await e2e.call('settings.get', {})).preferences.notificationLevel).toBe('problems')
    await settings.page.getByRole('checkbox', { name: /Launch at login/ }).click()
    await expect
      .poll(async () => (await e2e.call('settings.get', {})).preferences)
      .toMatchObject({ notificationLevel: 'problems', launchAtLogin: true })
    await hasText(settings.page.getByTestId('launch-at-login-browser'), 'Cairn desktop app')
    await visible(settings.page.getByTestId('idle-section').getByRole('checkbox'))
    await screenshot(settings.page, 'settings-general')

    await settings.page.reload()
    await settings.open()
    await settings.tab('General')
    expect(
      await settings.page.getByRole('radio', { name: /Warnings and errors/ }).isChecked(),
    ).toBe(true)
    expect(await settings.page.getByRole('checkbox', { name: /Launch at login/ }).isChecked()).toBe(
      true,
    )
    expect(pageErrors(settings.page)).toEqual([])
  })

  it('rotates the master key, shows the new recovery key once, and the repository still opens', async () => {
    const before = await e2e.call('keys.status', {})
    const settings = await openSettings()
    await settings.tab('Security')
    const section = settings.masterKey
    await hasText(section.getByTestId('master-key-id'), before.keyId ?? '')
    await hasText(settings.page.getByTestId('keychain-section'), 'Available')
    await screenshot(settings.page, 'settings-security')

    await section.getByRole('button', { name: 'Rotate master key…' }).click()
    const confirm = settings.page.getByTestId('confirm-rotate')
    await hasText(confirm, 'Your current recovery key stops working')
    await confirm.getByRole('button', { name: 'Replace the master key' }).click()

    const shown = settings.page.getByTestId('new-recovery-key')
    await hasText(shown, 'save the new recovery key now', 60_000)
    const key = (await settings.page.getByTestId('new-recovery-key-value').innerText()).trim()
    expect(key.length).toBeGreaterThan(20)
    const after = await e2e.call('keys.status', {})
    expect(after.keyId).not.toBe(before.keyId)
    await hasText(section.getByTestId('master-key-id'), after.keyId ?? '')
    // The repository opens with the new key: restore points list and the status is ready.
    expect((await e2e.call('restorePoints.list', { workspaceId })).restorePoints.length).toBe(2)
    expect((await e2e.call('repository.status', {})).state).toBe('ready')
    await screenshot(settings.page, 'settings-key-rotated')

    // Done stays disabled until the user says the key is saved; then it is gone for good.
    const done = shown.getByRole('button', { name: 'Done' })
    expect(await done.isDisabled()).toBe(true)
    await shown.getByRole('checkbox', { name: /I have saved this recovery key/ }).check()
    await done.click()
    await hidden(shown)
    await settings.page.reload()
    await settings.open()
    await settings.tab('Security')
    await visible(settings.masterKey.getByTestId('master-key-id'))
    expect(await settings.page.locator('body').innerText()).not.toContain(key)
    expect(pageErrors(settings.page)).toEqual([])
  })

  it('keeps the existing Cloud & storage part as the default tab', async () => {
    const settings = await openSettings('dark')
    await visible(settings.storage)
    await hasText(settings.keychainStatus, 'Keychain available')
  })
})
