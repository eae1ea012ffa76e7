import { randomBytes } from 'node:crypto'
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasText, hidden, visible } from './pages/expect'
import { SettingsPage } from './pages/settings-page'
import { WorkspacesPage } from './pages/workspaces-page'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'
import { createRunningWorkspace, setUpStorage, sshTo } from './support/workspace-setup'

/**
 * Settings' defaults (schedule, retention policy, auto-stop of new workspaces) and maintenance
 * (check the repository, prune now) against the real core, a real workspace and its repository.
 */
const e2e = useE2E()
const name = 'defaults-ws'
let storageDir = ''
let workspaceId = ''

const ssh = (command: string, input: Buffer) => sshTo(e2e, `cairn-${name}`, command, input)

beforeAll(async () => {
  storageDir = await setUpStorage(e2e, 'cairn-e2e-settings-defaults-')
  await e2e.call('keys.exportRecovery', { again: false })
  workspaceId = await createRunningWorkspace(e2e, name)
  // Two restore points with different data; forgetting the first leaves data only prune frees.
  for (let i = 0; i < 2; i++) {
    await ssh(`cat > ~/data-${i}.bin`, randomBytes(512 * 1024))
    if (i === 1) await ssh('rm ~/data-0.bin', Buffer.alloc(0))
    const backup = await e2e.call('workspaces.backup', { id: workspaceId })
    await e2e.core.services.jobs.wait(backup.id)
  }
  const forgot = await e2e.call('restorePoints.forget', {
    workspaceId,
    policy: {
      keepLast: 1,
      keepHourly: 0,
      keepDaily: 0,
      keepWeekly: 0,
      keepMonthly: 0,
      keepWithinHours: 0,
    },
  })
  expect(forgot.removed).toBe(1)
}, 240_000)

afterAll(async () => {
  if (workspaceId) {
    const job = await e2e.call('workspaces.delete', { id: workspaceId, confirmName: name })
    await e2e.core.services.jobs.wait(job.id)
  }
  await rm(storageDir, { recursive: true, force: true })
})

async function openSettings() {
  const page = await e2e.open()
  const settings = new SettingsPage(page)
  await settings.open()
  return settings
}

describe('Settings: defaults for all workspaces and maintenance', () => {
  it('changes the default schedule and retention policy; a workspace without its own follows', async () => {
    const settings = await openSettings()
    await settings.tab('Backups')
    const form = settings.scheduleDefaults
    await visible(form)
    expect(await form.getByLabel('Minutes between backups').inputValue()).toBe('120')

    // Bad values: messages in the page, nothing sent.
    await form.getByLabel('Minutes between backups').fill('3')
    await form.getByRole('button', { name: 'Save default schedule' }).click()
    expect(await settings.inputError(form, 'Minutes between backups')).toBe(
      'Use 5 to 44,640 for the minutes between backups.',
    )
    expect((await e2e.call('schedules.getDefaults', {})).backupEveryMinutes).toBe(120)

    await form.getByLabel('Minutes between backups').fill('60')
    await form.getByLabel('Verify restore points').uncheck()
    await form.getByRole('button', { name: 'Save default schedule' }).click()
    await hasText(form, 'Saved.')
    expect(await e2e.call('schedules.getDefaults', {})).toEqual({
      backupEveryMinutes: 60,
      verifyEveryHours: null,
      applyRetention: true,
    })
    // The workspace has no schedule of its own: it follows, in the core and in its row.
    expect(await e2e.call('schedules.get', { workspaceId })).toMatchObject({
      backupEveryMinutes: 60,
      verifyEveryHours: null,
    })
    const row = settings.scheduleRow(workspaceId)
    await expect.poll(() => row.getByLabel('Minutes between backups').inputValue()).toBe('60')

    const policy = settings.retentionDefaults
    await policy.getByLabel('Keep the last').fill('x')
    await policy.getByRole('button', { name: 'Save default policy' }).click()
    expect(await settings.inputError(policy, 'Keep the last')).toBe(
      'Use a whole number for "Keep the last".',
    )
    await policy.getByLabel('Keep the last').fill('5')
    await policy.getByLabel('Monthly').fill('6')
    await policy.getByRole('button', { name: 'Save default policy' }).click()
    await hasText(policy, 'Saved.')
    expect(await e2e.call('retention.getDefaults', {})).toMatchObject({
      keepLast: 5,
      keepMonthly: 6,
    })
    expect(await e2e.call('retention.get', { workspaceId })).toMatchObject({
      custom: false,
      policy: { keepLast: 5, keepMonthly: 6 },
    })
    await hasText(settings.retention, 'uses the default policy')
    await expect.poll(() => settings.retention.getByLabel('Keep the last').inputValue()).toBe('5')
    await screenshot(settings.page, 'settings-defaults')

    // Kept across a reload.
    await settings.page.reload()
    await settings.open()
    await settings.tab('Backups')
    await expect
      .poll(() => settings.scheduleDefaults.getByLabel('Minutes between backups').inputValue())
      .toBe('60')
    expect(await settings.retentionDefaults.getByLabel('Keep the last').inputValue()).toBe('5')
    expect(pageErrors(settings.page)).toEqual([])
  })

  it('a new workspace starts from the default auto-stop', async () => {
    const settings = await openSettings()
    await settings.tab('General')
    await settings.setDefaultIdle('2')
    expect(await settings.inputError(settings.defaultIdle, 'Idle minutes before a stop')).toMatch(
      /^Use 5 to 10,080 for the idle minutes/,
    )
    expect((await e2e.call('settings.get', {})).preferences.defaultIdleTimeoutMinutes).toBe(30)
    await settings.setDefaultIdle('90')
    await hasText(settings.defaultIdle, 'Saved.')
    expect((await e2e.call('settings.get', {})).preferences.defaultIdleTimeoutMinutes).toBe(90)

    const workspaces = new WorkspacesPage(settings.page)
    await settings.shell.go('Workspaces')
    await workspaces.openCreateForm()
    expect(await workspaces.field('Auto-stop when idle').inputValue()).toBe('90')
    expect(await workspaces.createForm.locator('input[name="idleEnabled"]').isChecked()).toBe(true)

    // Off by default: the form starts with auto-stop off.
    await settings.shell.go('Settings')
    await settings.tab('General')
    await settings.setDefaultIdle(null)
    await hasText(settings.defaultIdle, 'Saved.')
    expect((await e2e.call('settings.get', {})).preferences.defaultIdleTimeoutMinutes).toBeNull()
    await settings.shell.go('Workspaces')
    await visible(workspaces.createForm)
    await expect
      .poll(() => workspaces.createForm.locator('input[name="idleEnabled"]').isChecked())
      .toBe(false)
    expect(pageErrors(settings.page)).toEqual([])
  })

  it('checks the repository and prunes from the page, with progress and outcome', async () => {
    const settings = await openSettings()
    await settings.tab('Backups')
    await visible(settings.maintenance)
    const check = await settings.checkRepository('Everything read back (downloads all of it)')
    await hasText(check, 'The repository is healthy', 60_000)
    await hasText(check, '1 workspace, 1 restore point')

    const preview = await settings.previewPrune(name)
    await hasText(preview, /Prune would free \d/, 60_000)
    await hasText(preview, 'Nothing has changed yet')
    await screenshot(settings.page, 'settings-maintenance', settings.maintenance)

    await preview.getByRole('button', { name: 'Prune now' }).click()
    const done = settings.page.getByTestId('prune-part').getByTestId('prune-outcome')
    await hasText(done, /Freed \d/, 60_000)

    // The repository is still whole after the prune.
    const again = await settings.checkRepository()
    await hasText(again, 'The repository is healthy', 60_000)
    expect(pageErrors(settings.page)).toEqual([])
  })

  it('finds a damaged index file and rebuilds the index from the packs', async () => {
    // Damage every index file of the repository (a flipped byte: its name no longer matches).
    const indexFiles = (await readdir(storageDir, { recursive: true }))
      .filter((f) => /(^|\/)index\/[0-9a-f]{64}$/.test(f))
      .map((f) => join(storageDir, f))
    expect(indexFiles.length).toBeGreaterThan(0)
    for (const file of indexFiles) {
      const bytes = await readFile(file)
      bytes[bytes.length >> 1]! ^= 1
      await writeFile(file, bytes)
    }
    const settings = await openSettings()
    await settings.tab('Backups')
    const check = await settings.checkRepository()
    await hasText(check, 'The check found damage', 60_000)
    await hasText(check, /Index file [0-9a-f]{8} is damaged/)
    await hasText(check, 'can be rebuilt from them')
    await screenshot(settings.page, 'settings-maintenance-damaged-index', check, 'end')

    const repaired = await settings.rebuildIndex()
    await hasText(repaired, `The index of ${name} was rebuilt`, 60_000)
    await hasText(repaired, /\d+ packs? \(.*\) added to the index/)
    await hasText(repaired, `${indexFiles.length} damaged index file`)
    await screenshot(settings.page, 'settings-maintenance-index-rebuilt', repaired, 'end')
    // Rebuilt once: the damage report no longer offers it.
    await hidden(check.getByRole('button', { name: 'Rebuild the index' }))
    // The damaged files were moved aside, not deleted.
    const left = (await readdir(storageDir, { recursive: true })).filter((f) =>
      /(^|\/)damaged\/index\/[0-9a-f]{64}$/.test(f),
    )
    expect(left).toHaveLength(indexFiles.length)

    await repaired.getByRole('button', { name: 'Check again' }).click()
    const again = settings.page.getByTestId('check-part').getByTestId('check-outcome')
    await hasText(again, 'The repository is healthy', 60_000)
    await hidden(settings.page.getByTestId('repair-outcome'))
    expect(pageErrors(settings.page)).toEqual([])
  })
})
