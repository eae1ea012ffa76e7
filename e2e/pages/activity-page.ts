import type { Locator, Page } from 'playwright-core'
import { AppShell } from './app-shell'

export class ActivityPage {
  readonly shell: AppShell
  constructor(readonly page: Page) {
    this.shell = new AppShell(page)
  }
  async open(): Promise<void> {
    await this.shell.go('Activity')
  }
  get emptyState(): Locator {
    return this.page.locator('.empty-state')
  }
  get jobs(): Locator {
    return this.page.getByTestId('job')
  }
}
