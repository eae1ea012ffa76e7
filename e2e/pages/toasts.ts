import type { Locator, Page } from 'playwright-core'

/** The in-app notifications (browser host): bottom right, one per notification. */
export class Toasts {
  constructor(readonly page: Page) {}

  get region(): Locator {
    return this.page.getByRole('region', { name: 'Notifications' })
  }

  get all(): Locator {
    return this.region.getByTestId('toast')
  }

  withTitle(title: string | RegExp): Locator {
    return this.all.filter({ has: this.page.locator('.toast-title', { hasText: title }) })
  }

  async dismiss(toast: Locator): Promise<void> {
    await toast.getByRole('button', { name: /^Dismiss/ }).click()
  }
}
