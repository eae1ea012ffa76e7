import type { Locator, Page } from 'playwright-core'
import { hasText, visible } from './expect'

/** One workspace's detail: its facts and actions, the storage chart and the restore point timeline. */
export class WorkspaceDetailPage {
  constructor(readonly page: Page) {}

  /** Opens the detail from the Workspaces list by the workspace's name. */
  async openFromList(name: string): Promise<void> {
    const row = this.page.locator(`[data-testid="workspace"][data-name="${name}"]`)
    await row.getByTestId('workspace-open').click()
    await visible(this.root)
    await hasText(this.page.locator('h1'), name)
  }

  get root(): Locator {
    return this.page.getByTestId('workspace-detail')
  }

  async state(): Promise<string | null> {
    return this.root.getAttribute('data-state')
  }

  fact(testId: string): Locator {
    return this.root.getByTestId(testId)
  }

  action(label: string): Locator {
    return this.root
      .getByRole('group', { name: /^Actions for / })
      .getByRole('button', { name: label, exact: true })
  }

  get jobProgress(): Locator {
    return this.root.getByTestId('job-progress')
  }

  get chart(): Locator {
    return this.root.getByTestId('storage-chart')
  }

  get restorePoints(): Locator {
    return this.root.getByTestId('restore-points')
  }

  /** The virtualised scroller (what the benchmark scrolls). */
  get timeline(): Locator {
    return this.root.getByTestId('restore-point-timeline')
  }

  get points(): Locator {
    return this.timeline.getByTestId('restore-point')
  }

  get empty(): Locator {
    return this.root.getByTestId('restore-points-empty')
  }

  get error(): Locator {
    return this.root.getByTestId('restore-points-error')
  }

  get back(): Locator {
    return this.root.getByRole('button', { name: 'Workspaces' }).first()
  }

  /** Closes the notifications the backups raised, so a screenshot shows the page itself. */
  async dismissToasts(): Promise<void> {
    const buttons = this.page.getByRole('button', { name: /^Dismiss: / })
    while ((await buttons.count()) > 0) await buttons.first().click()
  }

  get startDialog(): Locator {
    return this.page.getByTestId('start-dialog')
  }
}
