import type { Locator, Page } from 'playwright-core'
import { AppShell } from './app-shell'

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
    return this.emptyState.getByRole('button', { name: /Settings/ })
  }
}
