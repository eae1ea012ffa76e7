import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatRecoveryKey } from '../src/main/core/keys/recovery-key'
import { hasText, visible } from './pages/expect'
import { OnboardingPage } from './pages/onboarding-page'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'

/**
 * A second computer: the storage already holds a repository (made "elsewhere"), this computer's
 * keychain has no master key. Onboarding asks for the recovery key instead of making a new one.
 */
const e2e = useE2E()
let storageDir = ''
let recoveryKey = ''

beforeAll(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'cairn-e2e-new-machine-'))
  // The first computer: a repository and its key, then everything of it removed from here.
  await e2e.call('storage.save', { config: { kind: 'folder', path: storageDir } })
  await e2e.call('repository.init', {})
  recoveryKey = (await e2e.call('keys.exportRecovery', { again: false })).recoveryKey
  await e2e.call('storage.clear', {})
  await e2e.keychain.clear()
  expect((await e2e.call('keys.status', {})).present).toBe(false)
})
afterAll(async () => {
  await rm(storageDir, { recursive: true, force: true })
})

describe('Onboarding on a new computer', () => {
  it('imports the recovery key for a repository made elsewhere, refusing a wrong one', async () => {
    const page = await e2e.open()
    const onboarding = new OnboardingPage(page)
    await onboarding.expectStep('welcome')
    await onboarding.next.click()

    await onboarding.expectStep('storage')
    await onboarding.fillFolder(storageDir)
    await onboarding.saveStorage()
    await visible(onboarding.storageSaved, 60_000)
    await onboarding.next.click()

    await onboarding.expectStep('keys')
    await hasText(onboarding.title, 'Unlock your repository')
    // Nothing typed, a mistyped key, then a well-formed key of another repository.
    await onboarding.next.click()
    expect(await onboarding.fieldError('Recovery key')).toMatch(/Paste or type your recovery key/)
    // One character changed: the group's check character always catches a single substitution
    // (three changed characters could pass both checks, about once in 512 keys).
    const typo = (recoveryKey[0] === '7' ? '8' : '7') + recoveryKey.slice(1)
    await onboarding.importRecovery(typo)
    expect(await onboarding.fieldError('Recovery key')).toMatch(/Group 1 .* looks mistyped/)
    const other = formatRecoveryKey(randomBytes(32))
    await onboarding.importRecovery(other)
    await hasText(page.getByTestId('import-error'), 'This key does not open the repository')
    await hasText(page.getByTestId('import-error'), 'Nothing was stored')
    expect((await e2e.call('keys.status', {})).present).toBe(false)
    await onboarding.field('Recovery key').fill(recoveryKey.toLowerCase())
    await screenshot(page, 'onboarding-import')

    await onboarding.next.click()
    await hasText(page.getByTestId('repository-ready'), 'Key imported', 60_000)
    expect((await e2e.call('keys.status', {})).present).toBe(true)
    expect((await e2e.call('repository.status', {})).state).toBe('ready')
    await onboarding.next.click()
    await onboarding.expectStep('compute')

    // Leaving and coming back starts where it stopped: storage and key are done.
    await onboarding.setUpLater()
    const setup = page.getByTestId('workspaces-setup')
    await hasText(setup, 'Cairn still needs a Hetzner Cloud API token')
    await setup.getByRole('button', { name: 'Guided setup' }).click()
    await onboarding.expectStep('compute')
    await hasText(onboarding.title, 'Connect Hetzner Cloud')
    // Storage is configured now: a fresh start no longer opens onboarding by itself.
    await page.reload()
    await visible(page.locator('html[data-onboarding-gate="skipped"]'))
    expect(pageErrors(page)).toEqual([])
  })
})
