import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'
import { AppShell } from './app-shell'
import { fieldErrorOf, hasText, hidden, visible } from './expect'

export interface CreateFields {
  name?: string
  location?: string
  serverType?: string
  /** Minutes, or null to turn auto-stop off. */
  idleMinutes?: string | null
  /** One path per line. */
  paths?: string
  excludes?: string
  /** Start from a restore point of this workspace (by name); 'latest' or an id. */
  from?: { workspace: string; restorePoint?: string }
}

/** The Workspaces screen: the list, the create form and its job, per-workspace actions. */
export class WorkspacesPage {
  readonly shell: AppShell
  constructor(readonly page: Page) {
    this.shell = new AppShell(page)
  }

  async open(): Promise<void> {
    await this.shell.go('Workspaces')
  }

  get emptyState(): Locator {
    return this.page.locator('.empty-state')
  }

  get openSettings(): Locator {
    return this.page.getByRole('button', { name: /Settings/ }).first()
  }

  get setupPointer(): Locator {
    return this.page.getByTestId('workspaces-setup')
  }

  get totals(): Locator {
    return this.page.getByTestId('workspace-totals')
  }

  // Create

  /** The page's Create workspace button (the empty state's or the toolbar's). */
  get createButton(): Locator {
    return this.page
      .getByTestId('workspaces-page')
      .getByRole('button', { name: 'Create workspace' })
      .first()
  }

  get createForm(): Locator {
    return this.page.getByTestId('create-form')
  }

  field(label: string): Locator {
    return this.createForm.getByLabel(label, { exact: true })
  }

  /** Opens the form and waits until Hetzner's locations and server types are in it. */
  async openCreateForm(): Promise<void> {
    await this.createButton.click()
    await visible(this.createForm)
    await expect
      .poll(() => this.field('Server type').locator('option').count(), { timeout: 30_000 })
      .toBeGreaterThan(0)
    await expect.poll(() => this.field('Server type').inputValue()).not.toBe('')
  }

  async fillCreate(fields: CreateFields): Promise<void> {
    if (fields.name !== undefined) await this.field('Name').fill(fields.name)
    if (fields.location !== undefined) await this.field('Location').selectOption(fields.location)
    if (fields.serverType !== undefined)
      await this.field('Server type').selectOption(fields.serverType)
    if (fields.idleMinutes !== undefined) {
      const enabled = this.createForm.locator('input[name="idleEnabled"]')
      await enabled.setChecked(fields.idleMinutes !== null)
      if (fields.idleMinutes !== null)
        await this.field('Auto-stop when idle').fill(fields.idleMinutes)
    }
    if (fields.paths !== undefined) await this.field('Folders to keep').fill(fields.paths)
    if (fields.excludes !== undefined)
      await this.field('Leave out (optional)').fill(fields.excludes)
    if (fields.from !== undefined) {
      await this.createForm.getByLabel('The files of a restore point').check()
      await this.field('From workspace').selectOption({ label: fields.from.workspace })
      if (fields.from.restorePoint)
        await this.field('Restore point').selectOption(fields.from.restorePoint)
    }
  }

  get preflight(): Locator {
    return this.createForm.getByTestId('create-preflight')
  }

  preflightCheck(id: string): Locator {
    return this.preflight.locator(`[data-testid="preflight-check"][data-check="${id}"]`)
  }

  /**
   * Runs the checks before creating; resolves once they are shown, or at once when the form
   * itself refused the input (a field is marked invalid).
   */
  async checkCreate(): Promise<'ok' | 'failed' | 'invalid'> {
    await this.createForm.getByRole('button', { name: /^Check (before creating|again)$/ }).click()
    const invalid = this.createForm.locator('[aria-invalid="true"]')
    const done = this.createForm.locator('[data-testid="create-preflight"][data-state="done"]')
    await expect
      .poll(async () => (await invalid.count()) + (await done.count()), { timeout: 60_000 })
      .toBeGreaterThan(0)
    if ((await done.count()) === 0) return 'invalid'
    return (await done.getAttribute('data-ok')) === 'true' ? 'ok' : 'failed'
  }

  /** Check, then Create when every check passed (what a user does). */
  async submitCreate(): Promise<void> {
    const outcome = await this.checkCreate()
    if (outcome !== 'ok') return
    await this.createForm.getByRole('button', { name: 'Create workspace' }).click()
  }

  /** The inline message under a create form field. */
  async fieldError(label: string): Promise<string> {
    return fieldErrorOf(this.page, this.field(label))
  }

  get createProgress(): Locator {
    return this.page.getByTestId('create-progress')
  }

  // The list

  workspace(name: string): Locator {
    return this.page.locator(`[data-testid="workspace"][data-name="${name}"]`)
  }

  async state(name: string): Promise<string | null> {
    return this.workspace(name).getAttribute('data-state')
  }

  /**
   * Waits until the workspace shows `state` (the list follows workspaces.changed events) and no job
   * of it runs any more.
   */
  async expectState(name: string, state: string, timeout = 120_000): Promise<void> {
    await visible(this.workspace(name), timeout)
    let last: string | null = null
    let problem = ''
    await expect
      .poll(
        async () => {
          last = await this.state(name)
          if (last !== state) problem = await this.problems(name)
          return last
        },
        { timeout, interval: 250, message: `state of ${name} (last problem: ${problem})` },
      )
      .toBe(state)
    // Settled: the job that got it there has finished too (its last steps, like the ssh config,
    // may come after the state).
    await hidden(this.jobProgress(name), timeout)
    // A create's job shows in the create panel, not under the row: the panel closes when the job
    // (with its last step, the ssh config) has finished.
    await hidden(this.createProgress, timeout)
  }

  /** Any error or problem text the workspace's card shows (for failure messages). */
  async problems(name: string): Promise<string> {
    const card = this.workspace(name)
    const texts = await card
      .locator(
        '[data-testid="workspace-problem"], [data-testid="workspace-job-error"], [data-testid="workspace-action-error"]',
      )
      .allInnerTexts()
    return texts.join(' | ').replace(/\s+/g, ' ')
  }

  stateBadge(name: string): Locator {
    return this.workspace(name).getByTestId('workspace-state')
  }

  action(name: string, label: string): Locator {
    return this.workspace(name).getByRole('button', { name: label, exact: true })
  }

  jobProgress(name: string): Locator {
    return this.workspace(name).getByTestId('job-progress')
  }

  /** Copy SSH command: returns the command the card shows. */
  async sshCommand(name: string): Promise<string> {
    await this.action(name, 'Copy SSH command').click()
    const note = this.workspace(name).getByTestId('ssh-command')
    await visible(note)
    return (await note.locator('code').innerText()).trim()
  }

  orphan(name: string): Locator {
    return this.page.locator(`[data-testid="orphan"][data-name="${name}"]`)
  }

  // Delete

  get confirmDialog(): Locator {
    return this.page.getByTestId('confirm-delete')
  }

  get confirmInput(): Locator {
    return this.confirmDialog.getByLabel(/^Type .* to confirm$/)
  }

  confirmButton(label = 'Delete workspace'): Locator {
    return this.confirmDialog.getByRole('button', { name: label })
  }

  async openDelete(name: string): Promise<void> {
    await this.action(name, 'Delete…').click()
    await visible(this.confirmDialog)
  }

  async confirmDelete(name: string): Promise<void> {
    await this.confirmInput.fill(name)
    await this.confirmButton().click()
    await hidden(this.confirmDialog)
  }

  async expectGone(name: string, timeout = 120_000): Promise<void> {
    await hidden(this.workspace(name), timeout)
  }

  async expectEmpty(): Promise<void> {
    await hasText(this.emptyState, 'No workspaces yet')
  }

  /** Waits until no comparison with Hetzner and the storage is running (Check now at rest). */
  async expectChecked(): Promise<void> {
    await hidden(this.page.locator('.ws-reconcile [aria-busy="true"]'))
  }
}
