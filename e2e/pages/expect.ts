import type { Locator } from 'playwright-core'
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
