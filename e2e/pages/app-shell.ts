import type { Locator, Page } from 'playwright-core'
import { hasText, visible } from './expect'
import { skipOnboarding } from './onboarding-page'

type Section = 'Workspaces' | 'Activity' | 'Settings'

/** The window around every screen: sidebar, top bar, connection state. */
export class AppShell {
  constructor(readonly page: Page) {}

  nav(section: Section): Locator {
    return this.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('button', { name: section })
  }

  /** From an empty data dir the app opens with onboarding: leave it ("Set up later"). */
  async skipOnboarding(): Promise<void> {
    await skipOnboarding(this.page)
  }

  async go(section: Section): Promise<void> {
    await this.skipOnboarding()
    await this.nav(section).click()
    await hasText(this.page.locator('.topbar h1'), section)
  }

  async currentSection(): Promise<string | null> {
    return this.page.locator('.sidebar-item[aria-current="page"]').textContent()
  }

  get connection(): Locator {
    return this.page.getByTestId('connection-state')
  }

  get banner(): Locator {
    return this.page.getByTestId('connection-banner')
  }

  async expectConnected(): Promise<void> {
    await visible(this.page.locator('[data-testid="connection-state"][data-state="open"]'))
  }

  async expectBanner(text: string | RegExp): Promise<string> {
    return hasText(this.banner, text)
  }
}
