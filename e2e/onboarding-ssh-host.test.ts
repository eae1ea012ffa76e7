import { appendFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestVm, type TestVm } from '../test/support/remote-vm'
import { hasText, visible } from './pages/expect'
import { OnboardingPage } from './pages/onboarding-page'
import { pageErrors, useE2E } from './support/harness'
import { screenshot } from './support/screenshots'
import { sshTo } from './support/workspace-setup'

/**
 * Onboarding with a server the user already has (a fake VM of the local cloud: a real sshd):
 * Cairn's login key goes into its authorized_keys, its host key is confirmed, and it becomes the
 * first workspace, reachable with `ssh cairn-<name>`.
 */
const e2e = useE2E()
let storageDir = ''
let vm: TestVm

beforeAll(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'cairn-e2e-onb-ssh-'))
  vm = await createTestVm('onboarding-byo')
})
afterAll(async () => {
  await vm?.destroy()
  await rm(storageDir, { recursive: true, force: true })
})

const ssh = async (alias: string, command: string) => (await sshTo(e2e, alias, command)).toString()

describe('Onboarding with an existing SSH host', () => {
  it('adopts the host as the first workspace after its key is confirmed', async () => {
    const page = await e2e.open()
    const onboarding = new OnboardingPage(page)
    await onboarding.expectStep('welcome')
    await onboarding.next.click()
    await onboarding.fillFolder(storageDir)
    await onboarding.saveStorage()
    await visible(onboarding.storageSaved, 60_000)
    await onboarding.next.click()
    await onboarding.expectStep('keys')
    await onboarding.next.click()
    const key = await onboarding.recoveryKey()
    await onboarding.next.click()
    await onboarding.confirmRecovery(key.split('-').at(-1)!, true)

    await onboarding.expectStep('compute')
    await onboarding.root.locator('label[data-kind="ssh"]').click()
    await hasText(onboarding.title, 'Bring your own server')
    // Nothing filled in: every missing part is named.
    await onboarding.next.click()
    expect(await onboarding.fieldError('Host')).toMatch(/address/)
    expect(await onboarding.fieldError('User')).toMatch(/user/)
    await hasText(onboarding.root.locator('.field-error').first(), /./)

    await onboarding.root.getByRole('button', { name: 'Make a login key' }).click()
    const publicKey = (await page.getByTestId('onboarding-public-key').innerText()).trim()
    expect(publicKey).toMatch(/^ssh-ed25519 /)

    await onboarding.field('Host').fill(vm.ip)
    await onboarding.field('Port').fill(String(vm.port))
    await onboarding.field('User').fill('dev')
    // The key is not on the server yet: the server refuses it, and the message says where it goes.
    await onboarding.root.getByRole('button', { name: 'Check host key' }).click()
    await visible(page.getByTestId('onboarding-fingerprint'))
    await onboarding.next.click()
    await hasText(onboarding.root.locator('[role="alert"]'), 'Tick the box')
    await onboarding.root.locator('input[name="ssh-fingerprint-ok"]').check()
    await onboarding.next.click()
    await hasText(page.getByTestId('onboarding-ssh-error'), 'authorized_keys', 60_000)

    await appendFile(join(vm.homeDir, 'dev', '.ssh', 'authorized_keys'), `${publicKey}\n`)
    await screenshot(page, 'onboarding-ssh-host')
    await onboarding.next.click()
    await onboarding.expectStep('done', 60_000)
    await hasText(onboarding.ssh, 'cairn-my-server')
    const listed = (await e2e.call('workspaces.list', {})).workspaces
    expect(listed.map((w) => [w.name, w.provider, w.state])).toEqual([
      ['my-server', 'ssh', 'running'],
    ])
    expect((await ssh('cairn-my-server', 'whoami')).trim()).toBe('dev')
    await screenshot(page, 'onboarding-ssh-done')
    expect(pageErrors(page)).toEqual([])
  })
})
