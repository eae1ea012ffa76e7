import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'

/** The system Chromium (Debian package); Playwright's own browser download is not used. */
export const CHROMIUM_PATH = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium'

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

export interface LaunchedBrowser {
  browser: Browser
  close(): Promise<void>
}

/**
 * Starts Chromium with a throwaway HOME, so it reads and writes nothing of the user's profile,
 * keyring or caches, and cannot phone home.
 */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const home = await mkdtemp(join(tmpdir(), 'cairn-e2e-chromium-'))
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ARGS,
    env: {
      HOME: home,
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
    },
  })
  return {
    browser,
    async close() {
      await browser.close().catch(() => {})
      await rm(home, { recursive: true, force: true })
    },
  }
}
