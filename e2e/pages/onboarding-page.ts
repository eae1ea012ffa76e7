import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'
import { fieldErrorOf, hasText, hidden, visible } from './expect'

export type OnboardingStepName = 'welcome' | 'storage' | 'keys' | 'compute' | 'workspace' | 'done'

/**
 * Whether the app decided, after its first loads, to open with onboarding; if so, leaves it with
 * "Set up later". For tests that start from an empty data dir but test another screen.
 */
export async function skipOnboarding(page: Page): Promise<void> {
  await visible(page.locator('html[data-onboarding-gate]'))
  if ((await page.locator('html').getAttribute('data-onboarding-gate')) !== 'shown') return
  await new OnboardingPage(page).setUpLater()
}

/** The guided first run, full window: steps, Back/Continue, and each step's form. */
export class OnboardingPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('onboarding')
  }

  async expectStep(step: OnboardingStepName, timeout?: number): Promise<void> {
    await visible(this.page.locator(`[data-testid="onboarding"][data-step="${step}"]`), timeout)
  }

  get title(): Locator {
    return this.root.locator('h1.onb-title')
  }

  /** The primary button under the step (Continue, Create repository, Confirm, …). */
  get next(): Locator {
    return this.page.getByTestId('onboarding-next')
  }

  async back(): Promise<void> {
    await this.root.getByRole('button', { name: 'Back', exact: true }).click()
  }

  /** The reason the step cannot go on, shown by its Continue button. */
  get problem(): Locator {
    return this.page.getByTestId('onboarding-problem')
  }

  async setUpLater(): Promise<void> {
    await this.root.getByRole('button', { name: 'Set up later' }).click()
    await hidden(this.root)
  }

  field(label: string | RegExp): Locator {
    return this.root.getByLabel(label)
  }

  /** The inline error under a labelled field. */
  async fieldError(label: string | RegExp): Promise<string> {
    return fieldErrorOf(this.page, this.field(label))
  }

  // Welcome
  get keychain(): Locator {
    return this.page.getByTestId('onboarding-keychain')
  }

  // Storage
  async fillFolder(path: string): Promise<void> {
    await this.root.locator('label[data-kind="folder"]').click()
    await this.field(/^Folder/).fill(path)
  }

  async saveStorage(): Promise<void> {
    await this.root.getByRole('button', { name: 'Save', exact: true }).click()
  }

  get storageResult(): Locator {
    return this.page.getByTestId('storage-result')
  }

  get storageSaved(): Locator {
    return this.page.getByTestId('onboarding-storage-saved')
  }

  // Recovery key
  async recoveryKey(): Promise<string> {
    const value = this.page.getByTestId('recovery-key-value')
    await visible(value, 60_000)
    return (await value.innerText()).replace(/\s+/g, '').trim()
  }

  async confirmRecovery(lastGroup: string, stored: boolean): Promise<void> {
    await this.field(/^Last group of your recovery key/).fill(lastGroup)
    await this.root.locator('input[name="recovery-stored"]').setChecked(stored)
    await this.next.click()
  }

  async importRecovery(key: string): Promise<void> {
    await this.field('Recovery key').fill(key)
    await this.next.click()
  }

  // Compute
  async enterToken(token: string): Promise<void> {
    await this.field('API token').fill(token)
    await this.root.getByRole('button', { name: /Check and save/ }).click()
  }

  get hetznerError(): Locator {
    return this.page.getByTestId('hetzner-error')
  }

  get tokenStored(): Locator {
    return this.page.getByTestId('onboarding-token-stored')
  }

  // Workspace
  async nameWorkspace(name: string): Promise<void> {
    await this.field('Name').fill(name)
  }

  get serverTypes(): Locator {
    return this.root.locator('input[name="serverType"]')
  }

  get ssh(): Locator {
    return this.page.getByTestId('onboarding-ssh')
  }

  async expectProblem(text: string | RegExp): Promise<string> {
    return hasText(this.problem, text)
  }

  async expectNoProblem(): Promise<void> {
    expect(await this.problem.count()).toBe(0)
  }
}
