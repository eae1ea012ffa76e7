import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'

const TIMEOUT = 30_000

/** Waits until the locator is visible; fails with its description otherwise. */
export async function visible(locator: Locator, timeout = TIMEOUT): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout })
}

export async function hidden(locator: Locator, timeout = TIMEOUT): Promise<void> {
  await locator.first().waitFor({ state: 'hidden', timeout })
}

/** The locator's text, once it contains `text` (polled, since the UI updates from events). */
export async function hasText(
  locator: Locator,
  text: string | RegExp,
  timeout = TIMEOUT,
): Promise<string> {
  await visible(locator, timeout)
  let last = ''
  await expect
    .poll(
      async () => {
        last = (await locator.first().innerText()).replace(/\s+/g, ' ')
        return typeof text === 'string' ? last.includes(text) : text.test(last)
      },
      { timeout, interval: 100 },
    )
    .toBe(true)
  return last
}

/**
 * The inline error a field points at with aria-describedby. Polled: the field points at its hint
 * until the page has rendered the error, so reading the attribute once races the render.
 */
export async function fieldErrorOf(page: Page, field: Locator, timeout = TIMEOUT): Promise<string> {
  let text = ''
  await expect
    .poll(
      async () => {
        const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(/\s+/)
        for (const id of ids.filter(Boolean)) {
          const error = page.locator(`[id="${id}"].field-error`)
          if (await error.isVisible()) {
            text = (await error.innerText()).trim()
            return true
          }
        }
        return false
      },
      { timeout, interval: 100 },
    )
    .toBe(true)
  return text
}
