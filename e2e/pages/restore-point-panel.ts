import type { Locator, Page } from 'playwright-core'
import { hasText, visible } from './expect'

/** The restore point panel of the workspace detail page (pages/workspace/restore). */
export class RestorePointPanel {
  readonly root: Locator
  readonly dialog: Locator
  readonly confirm: Locator
  readonly task: Locator

  constructor(readonly page: Page) {
    this.root = page.getByTestId('restore-point-panel')
    this.dialog = page.getByTestId('restore-dialog')
    this.confirm = page.getByTestId('restore-confirm')
    this.task = page.getByTestId('restore-task')
  }

  /** From the workspaces list: opens the workspace, then its newest restore point. */
  async openFromList(workspaceName: string): Promise<void> {
    await this.page.getByTestId('workspace-open').filter({ hasText: workspaceName }).click()
    const open = this.page
      .getByTestId('restore-point')
      .first()
      .getByRole('button', { name: /^Open the restore point/ })
    await visible(open, 60_000)
    await open.click()
    await visible(this.root)
  }

  entry(name: string): Locator {
    return this.root.locator(`[data-testid="restore-entry"][data-name="${name}"]`)
  }

  async expectEntries(names: string[]): Promise<void> {
    for (const name of names) await visible(this.entry(name))
  }

  async openFolder(name: string): Promise<void> {
    await this.root.getByRole('button', { name: `Open folder ${name}` }).click()
    await hasText(this.root.getByTestId('restore-breadcrumbs'), name)
  }

  async crumb(name: string): Promise<void> {
    await this.root.getByTestId('restore-breadcrumbs').getByRole('button', { name }).click()
  }

  async download(name: string): Promise<void> {
    await this.entry(name)
      .getByRole('button', { name: `Download ${name}` })
      .click()
  }

  async restore(name: string): Promise<void> {
    await this.entry(name)
      .getByRole('button', { name: `Restore ${name}` })
      .click()
    await visible(this.dialog)
  }

  async restoreHere(): Promise<void> {
    await this.root.getByRole('button', { name: /^Restore (the folder|everything)/ }).click()
    await visible(this.dialog)
  }

  async choose(destination: 'workspace' | 'new' | 'folder'): Promise<void> {
    await this.dialog.locator(`input[name="destination"][value="${destination}"]`).check()
  }

  async fillFolder(path: string): Promise<void> {
    await this.dialog.getByRole('textbox', { name: 'Folder path' }).fill(path)
  }

  async review(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Review' }).click()
  }

  async fieldError(): Promise<string> {
    const error = this.dialog.locator('.field-error').first()
    await visible(error)
    return (await error.innerText()).trim()
  }

  /** The confirmation's facts, as one line of text. */
  async facts(): Promise<string> {
    const facts = this.confirm.getByTestId('restore-confirm-facts')
    await visible(facts)
    return (await facts.innerText()).replace(/\s+/g, ' ')
  }

  async confirmRestore(): Promise<void> {
    await this.confirm.locator('.dialog-actions button').last().click()
  }

  /** Waits for the task's outcome; returns its text. */
  async outcome(timeout = 120_000): Promise<string> {
    const outcome = this.root.getByTestId('restore-outcome')
    await visible(outcome, timeout)
    return (await outcome.innerText()).replace(/\s+/g, ' ')
  }

  async savedTo(timeout = 120_000): Promise<string> {
    await hasText(this.task.and(this.page.locator('[data-state="succeeded"]')), /./, timeout)
    return (await this.root.getByTestId('restore-saved-to').innerText()).trim()
  }

  async dismiss(): Promise<void> {
    await this.task.getByRole('button', { name: 'Dismiss' }).click()
  }
}
