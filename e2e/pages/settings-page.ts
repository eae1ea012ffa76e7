import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'
import { AppShell } from './app-shell'
import { fieldErrorOf, hasText, hidden, visible } from './expect'

export type StepState = 'ok' | 'failed' | 'skipped'
export type Steps = Record<'connect' | 'write' | 'read' | 'delete', StepState>

export interface S3Fields {
  endpoint?: string
  region?: string
  bucket?: string
  prefix?: string
  accessKeyId?: string
  secretAccessKey?: string
  pathStyle?: boolean
}

/**
 * The Settings screen: tabs (Cloud & storage, the default; Backups; General; Security), the
 * Hetzner token and catalog, storage, keychain status, schedules, retention, preferences, keys.
 */
export class SettingsPage {
  readonly shell: AppShell

  constructor(readonly page: Page) {
    this.shell = new AppShell(page)
  }

  async open(): Promise<void> {
    await this.shell.go('Settings')
    await visible(this.hetzner)
  }

  get keychainStatus(): Locator {
    return this.page.getByTestId('keychain-status')
  }

  // Hetzner

  get hetzner(): Locator {
    return this.page.getByTestId('hetzner-section')
  }

  get tokenInput(): Locator {
    return this.hetzner.getByLabel('API token')
  }

  get checkAndSave(): Locator {
    return this.hetzner.getByRole('button', { name: /Check and save|Checking/ })
  }

  /** Types the token and presses 'Check and save'; does not wait for the answer. */
  async enterHetznerToken(token: string): Promise<void> {
    await this.tokenInput.fill(token)
    await this.checkAndSave.click()
  }

  /** The Advanced disclosure of the Hetzner section, opened. */
  async advanced(): Promise<Locator> {
    const advanced = this.hetzner.locator('details.advanced')
    if ((await advanced.getAttribute('open')) === null) await advanced.locator('summary').click()
    await visible(advanced.getByLabel('API base URL'))
    return advanced
  }

  async setHetznerApiBase(url: string): Promise<void> {
    const advanced = await this.advanced()
    await advanced.getByLabel('API base URL').fill(url)
    await advanced.getByRole('button', { name: 'Save address' }).click()
    await hasText(this.hetzner.locator('details.advanced'), 'Saved.')
  }

  async expectTokenSaved(): Promise<void> {
    await hasText(this.page.getByTestId('hetzner-saved'), 'Token saved in your keychain')
    await visible(this.page.getByTestId('hetzner-token-stored'))
  }

  async expectTokenStored(): Promise<void> {
    await hasText(this.page.getByTestId('hetzner-token-stored'), 'Token stored')
  }

  async removeToken(): Promise<void> {
    const stored = this.page.getByTestId('hetzner-token-stored')
    await stored.getByRole('button', { name: 'Remove', exact: true }).click()
    await stored.getByRole('button', { name: 'Remove token' }).click()
    await visible(this.tokenInput)
  }

  /** The error panel of the token form: its heading, the code it shows, and the full text. */
  async expectHetznerError(code: string, heading: string | RegExp): Promise<string> {
    const panel = this.page.getByTestId('hetzner-error')
    await hasText(panel.locator('.callout-title'), heading)
    await visible(panel.locator(`[data-error-code="${code}"]`))
    return (await panel.innerText()).replace(/\s+/g, ' ')
  }

  get catalog(): Locator {
    return this.page.getByTestId('hetzner-catalog')
  }

  async expectCatalog(): Promise<void> {
    await visible(this.catalog.getByTestId('server-types'), 60_000)
  }

  location(name: string): Locator {
    return this.catalog.locator(`[data-location="${name}"]`)
  }

  async chooseLocation(name: string): Promise<void> {
    await this.location(name).click()
    await expect.poll(() => this.location(name).locator('input').isChecked()).toBe(true)
  }

  serverType(name: string): Locator {
    return this.catalog.locator(`tr[data-server-type="${name}"]`)
  }

  async price(type: string): Promise<{ hourly: string; monthly: string }> {
    const row = this.serverType(type)
    await visible(row)
    return {
      hourly: (await row.locator('[data-price="hourly"]').innerText()).trim(),
      monthly: (await row.locator('[data-price="monthly"]').innerText()).trim(),
    }
  }

  async serverTypeOrder(): Promise<string[]> {
    return this.catalog
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-server-type') ?? ''))
  }

  // Storage

  get storage(): Locator {
    return this.page.getByTestId('storage-section')
  }

  async chooseStorage(kind: 's3' | 'folder'): Promise<void> {
    await this.storage.locator(`label[data-kind="${kind}"]`).click()
    await visible(this.storage.getByTestId(kind === 's3' ? 's3-fields' : 'folder-fields'))
  }

  /** A storage field by its label; optional fields' "(optional)" suffix may be left off. */
  field(label: string): Locator {
    const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    return this.storage.getByLabel(new RegExp(`^${escaped}( \\(optional\\))?$`))
  }

  async fillS3(fields: S3Fields): Promise<void> {
    await this.chooseStorage('s3')
    const text: [keyof S3Fields, string][] = [
      ['endpoint', 'Endpoint'],
      ['region', 'Region'],
      ['bucket', 'Bucket'],
      ['prefix', 'Prefix'],
      ['accessKeyId', 'Access key ID'],
      ['secretAccessKey', 'Secret access key'],
    ]
    for (const [key, label] of text) {
      const value = fields[key]
      if (typeof value === 'string') await this.field(label).fill(value)
    }
    if (fields.pathStyle !== undefined) {
      await this.storage.locator('input[name="forcePathStyle"]').setChecked(fields.pathStyle)
    }
  }

  async fillFolder(path: string): Promise<void> {
    await this.chooseStorage('folder')
    await this.field('Folder').fill(path)
  }

  async testConnection(): Promise<void> {
    await this.storage.getByRole('button', { name: 'Test connection' }).click()
  }

  async saveStorage(): Promise<void> {
    await this.storage.getByRole('button', { name: 'Save', exact: true }).click()
  }

  /** Waits for the test/save to finish, then returns each step's state. */
  async steps(): Promise<Steps> {
    const list = this.page.getByTestId('storage-steps')
    await visible(list, 60_000)
    const states = await list
      .locator('[data-step]')
      .evaluateAll((items) =>
        items.map((i) => [i.getAttribute('data-step'), i.getAttribute('data-state')] as const),
      )
    return Object.fromEntries(states) as Steps
  }

  async stepMessage(step: keyof Steps): Promise<string> {
    return (
      await this.page
        .getByTestId('storage-steps')
        .locator(`[data-step="${step}"] .step-message`)
        .innerText()
    ).trim()
  }

  async stepTimes(): Promise<string[]> {
    return this.page.getByTestId('storage-steps').locator('.step-ms').allInnerTexts()
  }

  get storageResult(): Locator {
    return this.page.getByTestId('storage-result')
  }

  async expectStorageResult(title: string | RegExp): Promise<string> {
    return hasText(this.storageResult.locator('.callout-title'), title, 60_000)
  }

  async expectStorageError(code: string, heading: string | RegExp): Promise<string> {
    const panel = this.page.getByTestId('storage-error')
    await hasText(panel.locator('.callout-title'), heading, 60_000)
    await visible(panel.locator(`[data-error-code="${code}"]`))
    return (await panel.innerText()).replace(/\s+/g, ' ')
  }

  /** The inline message under a field, e.g. fieldError('Bucket'). */
  async fieldError(label: string): Promise<string> {
    return fieldErrorOf(this.page, this.field(label))
  }

  get savedStorage(): Locator {
    return this.page.getByTestId('storage-saved')
  }

  async expectStorageSaved(): Promise<string> {
    await hasText(this.storageResult.locator('.callout-title'), 'Storage saved', 60_000)
    await visible(this.savedStorage)
    return (await this.savedStorage.innerText()).replace(/\s+/g, ' ')
  }

  async removeStorage(): Promise<void> {
    await this.savedStorage.getByRole('button', { name: 'Remove', exact: true }).click()
    await this.savedStorage.getByRole('button', { name: 'Remove storage' }).click()
    await hidden(this.savedStorage)
  }

  // Tabs

  async tab(name: 'Cloud & storage' | 'Backups' | 'General' | 'Security'): Promise<void> {
    const tab = this.page.getByRole('tab', { name })
    await tab.click()
    await expect.poll(() => tab.getAttribute('aria-selected')).toBe('true')
  }

  // Backups

  scheduleRow(workspaceId: string): Locator {
    return this.page.locator(`[data-testid="schedule-row"][data-workspace-id="${workspaceId}"]`)
  }

  /** The inline message under an input of a form, e.g. inputError(row, 'Minutes between backups'). */
  async inputError(scope: Locator, label: string): Promise<string> {
    return fieldErrorOf(this.page, scope.getByLabel(label, { exact: true }))
  }

  get retention(): Locator {
    return this.page.getByTestId('retention-form')
  }

  /** Backups: "Defaults for all workspaces" (the default schedule and retention policy). */
  get defaults(): Locator {
    return this.page.getByTestId('defaults-section')
  }

  get scheduleDefaults(): Locator {
    return this.page.getByTestId('schedule-defaults')
  }

  get retentionDefaults(): Locator {
    return this.page.getByTestId('retention-defaults')
  }

  /** Backups: Maintenance (check the repository, prune now). */
  get maintenance(): Locator {
    return this.page.getByTestId('maintenance-section')
  }

  /** Starts a check of every workspace with `share` (the select's label) of the data read back. */
  async checkRepository(share?: string | RegExp): Promise<Locator> {
    const part = this.page.getByTestId('check-part')
    if (share) await part.getByLabel('Data read back').selectOption({ label: String(share) })
    await part.getByRole('button', { name: 'Check the repository' }).click()
    return part.getByTestId('check-outcome')
  }

  /** "Rebuild the index" offered by a check's outcome; resolves with the rebuild's outcome. */
  async rebuildIndex(): Promise<Locator> {
    const part = this.page.getByTestId('check-part')
    await part
      .getByTestId('check-outcome')
      .getByRole('button', { name: 'Rebuild the index' })
      .click()
    return part.getByTestId('repair-outcome')
  }

  /** "See what prune would free" of the workspace named `name`; resolves with the outcome. */
  async previewPrune(name: string): Promise<Locator> {
    const part = this.page.getByTestId('prune-part')
    await part.getByLabel('Workspace').selectOption({ label: name })
    await part.getByRole('button', { name: 'See what prune would free' }).click()
    return part.getByTestId('prune-outcome')
  }

  // General

  get defaultIdle(): Locator {
    return this.page.getByTestId('default-idle')
  }

  /** Sets the default auto-stop for new workspaces (null: off) and presses Save default. */
  async setDefaultIdle(minutes: string | null): Promise<void> {
    const form = this.defaultIdle
    await form.getByRole('checkbox').setChecked(minutes !== null)
    if (minutes !== null) await form.getByLabel('Idle minutes before a stop').fill(minutes)
    await form.getByRole('button', { name: 'Save default' }).click()
  }

  // Security

  get masterKey(): Locator {
    return this.page.getByTestId('master-key-section')
  }
}
