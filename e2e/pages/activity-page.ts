import type { Locator, Page } from 'playwright-core'
import { AppShell } from './app-shell'

type FilterLabel = 'Kind' | 'Outcome' | 'Workspace'

/** The Activity screen: filters and the (virtualised) job list. */
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
  /** The jobs drawn (the list is virtualised: those in and near the viewport). */
  get jobs(): Locator {
    return this.page.getByTestId('job')
  }
  get count(): Locator {
    return this.page.getByTestId('activity-count')
  }
  /** Chooses a filter's option by value ('' for any). */
  async filter(label: FilterLabel, value: string): Promise<void> {
    await this.page.getByLabel(label, { exact: true }).selectOption(value)
  }
  async search(text: string): Promise<void> {
    await this.page.getByLabel('Search', { exact: true }).fill(text)
  }
}
