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

  /**
   * Notes, from now on, every phase text the job progress shows and whether its progress bar was
   * drawn (a MutationObserver in the page), so a job quicker than a poll is still seen. Returns
   * what was seen so far when called.
   */
  async watchProgress(): Promise<() => Promise<{ phases: string[]; bars: boolean }>> {
    // Page-side code as a string: this file is typed for Node, not the DOM.
    await this.page.evaluate(`(() => {
      const seen = (window.__cairnProgress = { phases: [], bars: false })
      const note = () => {
        const job = document.querySelector(
          '[data-testid="workspace-detail"] [data-testid="job-progress"]',
        )
        if (!job) return
        const phase = (job.querySelector('[role="status"]')?.textContent ?? '').trim()
        if (phase && seen.phases[seen.phases.length - 1] !== phase) seen.phases.push(phase)
        if (job.querySelector('[role="progressbar"]')) seen.bars = true
      }
      new MutationObserver(note).observe(document.body, {
        subtree: true, childList: true, characterData: true, attributes: true,
      })
    })()`)
    return () => this.page.evaluate('window.__cairnProgress')
  }

  /** The timeline's restore points whose row shows `text` (a trigger such as 'Back up now'). */
  pointsWith(text: string | RegExp): Locator {
    return this.points.filter({ hasText: text })
  }

  /** Start from here on a restore point of the timeline: opens the start dialog with it chosen. */
  async startFrom(point: Locator): Promise<void> {
    await point.getByRole('button', { name: /^Start from/ }).click()
    await visible(this.startDialog)
  }

  async confirmStart(): Promise<void> {
    await this.startDialog.getByRole('button', { name: 'Start workspace' }).click()
  }

  /** Open on a restore point of the timeline: its files in the restore point panel. */
  async openPoint(point: Locator): Promise<void> {
    await point.getByRole('button', { name: /^Open the restore point/ }).click()
    await visible(this.page.getByTestId('restore-point-panel'))
  }

  /** Delete… in the actions: the confirmation that wants the name typed. */
  async openDelete(): Promise<void> {
    await this.action('Delete…').click()
    await visible(this.page.getByTestId('confirm-delete'))
  }
}
