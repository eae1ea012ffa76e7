import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { ROOT } from './build'

type Block = 'start' | 'center' | 'end'
type ScrollTarget = { scrollIntoView(options: { block: Block }): void }

// Every run saves its screenshots under test-results/ to be looked at; the committed copies in
// docs/screenshots are refreshed only on request (CAIRN_UPDATE_SCREENSHOTS=1 npm run test:e2e), so a
// test run does not leave the work tree dirty with images that differ only in a port number.
export const SCREENSHOT_DIR = join(
  ROOT,
  process.env.CAIRN_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots',
)

/**
 * Saves <name>-light.png and <name>-dark.png of the viewport (1280x800) to SCREENSHOT_DIR, with
 * `focus` scrolled to the top of the view (or to `block`). The page is put back in light mode.
 */
export async function screenshot(
  page: Page,
  name: string,
  focus?: Locator,
  block: Block = 'start',
): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  if (focus) {
    // Page-side code as strings: this file is typed for Node, not the DOM.
    await focus.evaluate(
      (el, b) => (el as unknown as ScrollTarget).scrollIntoView({ block: b }),
      block,
    )
  } else {
    await page.evaluate('window.scrollTo(0, 0)')
  }
  // Nothing hovered: the pointer rests on the sidebar's brand, which has no hover style.
  await page.mouse.move(1, 1)
  // Typing leaves a caret and focus ring that differ run to run; screenshots show the page at rest.
  await page.evaluate('document.activeElement && document.activeElement.blur()')
  // Toasts come and go with the timing of a run; only the notification shots are about them.
  // Hidden through the CSSOM: the page's CSP refuses injected <style> and style attributes.
  const hideToasts = !name.startsWith('notification')
  const toastVisibility = (v: string) =>
    page.evaluate(
      `document.querySelectorAll('.toasts').forEach((t) => (t.style.visibility = '${v}'))`,
    )
  if (hideToasts) await toastVisibility('hidden')
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme })
    await page.screenshot({
      path: join(SCREENSHOT_DIR, `${name}-${scheme}.png`),
      animations: 'disabled',
    })
  }
  await page.emulateMedia({ colorScheme: 'light' })
  if (hideToasts) await toastVisibility('')
}
