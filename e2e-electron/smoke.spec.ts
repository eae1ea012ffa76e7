import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test'
import type { CairnApi } from '../src/shared/rpc'

type PageGlobals = typeof globalThis & {
  cairn?: CairnApi
  require?: unknown
  process?: unknown
  cairnTransport?: { call(method: string, input: unknown): Promise<unknown> }
}

const root = resolve(import.meta.dirname, '..')

test.describe('desktop app', () => {
  let app: ElectronApplication
  let dataDir: string

  test.beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cairn-electron-'))
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && key !== 'ELECTRON_RENDERER_URL') env[key] = value
    }
    env.CAIRN_DATA_DIR = dataDir
    app = await electron.launch({
      args: [
        join(root, 'out/main/index.js'),
        // Chromium refuses to run as root with its OS sandbox; only CI containers do that.
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ],
      env,
    })
  })
  test.afterAll(async () => {
    await app?.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('opens one window on cairn://app', async () => {
    const page = await app.firstWindow()
    await expect(page).toHaveTitle('Cairn')
    expect(page.url()).toBe('cairn://app/index.html')
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1)
  })

  // contextIsolation: contextBridge throws without it, so `cairnTransport` would be missing.
  // nodeIntegration off: no require/process in the page. (Electron has no API to read back
  // `sandbox`; it is set in window.ts and forced for every renderer by app.enableSandbox().)
  test('exposes the contract and nothing of Node', async () => {
    const page = await app.firstWindow()
    await page.waitForFunction(() => (globalThis as PageGlobals).cairn !== undefined)
    const seen = await page.evaluate(() => {
      const g = globalThis as PageGlobals
      return {
        require: typeof g.require,
        process: typeof g.process,
        transportKeys: Object.keys(g.cairnTransport ?? {}).sort(),
      }
    })
    expect(seen).toEqual({
      require: 'undefined',
      process: 'undefined',
      transportKeys: ['call', 'subscribe'],
    })
    const info = await page.evaluate(() => (globalThis as PageGlobals).cairn!['app.info']({}))
    expect(info).toMatchObject({ host: 'electron' })
    const error = await page.evaluate(() =>
      (globalThis as PageGlobals).cairnTransport!.call('fs.readFile', {}),
    )
    expect(error).toMatchObject({ ok: false, error: { code: 'unknown_method' } })
  })

  test('serves the app with a CSP and refuses to navigate or open windows', async () => {
    const page = await app.firstWindow()
    const csp = await page.evaluate(async () => {
      const res = await fetch('cairn://app/index.html')
      return res.headers.get('content-security-policy')
    })
    expect(csp).toContain("default-src 'none'")
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/') ===
          null,
      ),
    ).toBe(true)
    await page.evaluate(() => {
      ;(globalThis as unknown as { location: { href: string } }).location.href =
        'https://example.com/'
    })
    await page.waitForTimeout(500)
    expect(page.url()).toBe('cairn://app/index.html')
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1)
  })
})
