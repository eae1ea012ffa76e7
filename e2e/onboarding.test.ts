import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasText, visible } from './pages/expect'
import { OnboardingPage } from './pages/onboarding-page'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'
import { sshTo } from './support/workspace-setup'

/**
 * A new user on an empty data dir, with only the local cloud: onboarding takes them from the
 * keychain check to a running workspace, refusing bad input at every step on the way.
 */
const e2e = useE2E()
let scratch = ''

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cairn-e2e-onboarding-'))
})
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

const ssh = async (alias: string, command: string) => (await sshTo(e2e, alias, command)).toString()

describe('Onboarding', () => {
  it('takes a new user from nothing to a running workspace', async () => {
    const page = await e2e.open()
    const onboarding = new OnboardingPage(page)

    // 1. Welcome and the keychain.
    await onboarding.expectStep('welcome')
    await hasText(onboarding.keychain, 'Your keychain is ready')
    await screenshot(page, 'onboarding-welcome')
    await onboarding.next.click()

    // 2. Storage: a relative path, then a folder that does not exist, then a real one.
    await onboarding.expectStep('storage')
    await onboarding.next.click()
    await onboarding.expectProblem('Save a storage first')
    await onboarding.fillFolder('backups/cairn')
    await onboarding.saveStorage()
    expect(await onboarding.fieldError(/^Folder/)).toMatch(/full path/)
    await onboarding.fillFolder(join(scratch, 'does-not-exist'))
    await onboarding.saveStorage()
    await hasText(onboarding.storageResult, 'Nothing was saved', 60_000)
    await visible(page.locator('[data-step="connect"][data-state="failed"]'))
    expect((await e2e.call('settings.get', {})).storage).toBeNull()
    await onboarding.fillFolder(scratch)
    await screenshot(page, 'onboarding-storage')
    await onboarding.saveStorage()
    await hasText(onboarding.storageSaved, scratch, 60_000)
    expect((await e2e.call('settings.get', {})).storage).toEqual({ kind: 'folder', path: scratch })
    await onboarding.next.click()

    // 3. The repository and its recovery key, shown once and typed back.
    await onboarding.expectStep('keys')
    await hasText(onboarding.title, 'Create your encrypted repository')
    await onboarding.next.click()
    const key = await onboarding.recoveryKey()
    expect(key).toMatch(/^([0-9A-Z]{5}-){12}[0-9A-Z]{5}$/)
    expect((await e2e.call('repository.status', {})).state).toBe('ready')
    await screenshot(page, 'onboarding-recovery-key')
    await onboarding.next.click()
    const lastGroup = key.split('-').at(-1)!
    const firstGroup = key.split('-')[0]!
    await onboarding.confirmRecovery(firstGroup, true)
    expect(await onboarding.fieldError(/^Last group/)).toMatch(/not the last group/)
    await onboarding.confirmRecovery(lastGroup.toLowerCase(), false)
    await onboarding.expectStep('keys')
    await hasText(onboarding.root.locator('[role="alert"]'), 'Tick the box')
    await onboarding.field(/^Last group/).fill('')
    await onboarding.field(/^Last group/).fill(lastGroup)
    await screenshot(page, 'onboarding-recovery-confirm')
    await onboarding.confirmRecovery(lastGroup, true)

    // 4. Hetzner: a wrong token is refused and nothing is stored; the project's token is kept.
    await onboarding.expectStep('compute')
    await onboarding.next.click()
    await onboarding.expectProblem('Add your Hetzner token first')
    await onboarding.enterToken('wrong-token-' + 'x'.repeat(52))
    await hasText(onboarding.hetznerError, 'Nothing was stored')
    expect(await e2e.keychain.hetznerToken()).toBeNull()
    await onboarding.enterToken(e2e.hetzner.project.token)
    await visible(onboarding.tokenStored)
    await hasText(onboarding.tokenStored, /location/)
    expect(await e2e.keychain.hetznerToken()).toBe(e2e.hetzner.project.token)
    await screenshot(page, 'onboarding-compute')
    await onboarding.next.click()

    // 5. The first workspace: defaults chosen, a bad name refused, then created and running.
    await onboarding.expectStep('workspace')
    await visible(onboarding.serverTypes.first())
    expect(await onboarding.field('Name').inputValue()).toBe('dev')
    expect(await page.locator('select[name="location"]').inputValue()).not.toBe('')
    expect(await onboarding.root.locator('input[name="serverType"]:checked').count()).toBe(1)
    await onboarding.nameWorkspace('My Workspace')
    await onboarding.next.click()
    expect(await onboarding.fieldError('Name')).toMatch(/./)
    await onboarding.nameWorkspace('first')
    await screenshot(page, 'onboarding-workspace')
    // The longest step holds at 1024x700: no sideways scrolling, the buttons reachable.
    await page.setViewportSize({ width: 1024, height: 700 })
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1024)
    await onboarding.next.scrollIntoViewIfNeeded()
    await page.setViewportSize({ width: 1280, height: 800 })
    await onboarding.next.click()
    await visible(page.getByTestId('onboarding-creating'))
    await onboarding.expectStep('done', 180_000)
    await hasText(onboarding.title, 'Your workspace is running')
    await hasText(onboarding.ssh, 'cairn-first')
    const listed = (await e2e.call('workspaces.list', {})).workspaces
    expect(listed.map((w) => [w.name, w.state])).toEqual([['first', 'running']])
    expect((await ssh('cairn-first', 'echo hello from $(hostname)')).trim()).toMatch(/^hello from/)
    await screenshot(page, 'onboarding-done')

    await onboarding.root.getByRole('button', { name: 'Open in VS Code' }).click()
    await visible(page.getByTestId('onboarding-vscode'))
    await onboarding.root.getByRole('button', { name: 'Go to your workspace' }).click()
    await visible(page.locator('.sidebar'))
    expect(pageErrors(page)).toEqual([])
  })

  it('does not open by itself once set up', async () => {
    const page = await e2e.open()
    await visible(page.locator('html[data-onboarding-gate="skipped"]'))
    expect(await page.getByTestId('onboarding').count()).toBe(0)
  })
})
