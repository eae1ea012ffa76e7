import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CairnApi } from '../../../src/shared/rpc'

/**
 * The real thing: the built host (out/main/host.js, which `npm test` builds before this stage)
 * with the real core, driven by a real Chromium. Proves the browser transport end to end: the
 * token leaves the address bar, reloads keep working, pages without the token or from another
 * origin get nowhere, the CSP lets the app run, and the host stops cleanly on SIGTERM.
 */
type PageGlobals = typeof globalThis & { cairn?: CairnApi }

const root = resolve(import.meta.dirname, '../../..')
const hostJs = join(root, 'out/main/host.js')
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

function startHostProcess(
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  if (!existsSync(hostJs))
    throw new Error('out/main/host.js is missing: run `npm run build` first.')
  const child = spawn(process.execPath, [hostJs, '--data-dir', dataDir], {
    env: { ...process.env, CAIRN_DATA_DIR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${output}`)), 30_000)
    const poll = setInterval(() => {
      const match = /http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}/.exec(output)
      if (match) {
        clearInterval(poll)
        clearTimeout(timer)
        resolvePromise({ child, url: match[0], output: () => output })
      }
    }, 50)
    child.once('exit', (code) => {
      clearInterval(poll)
      clearTimeout(timer)
      reject(new Error(`host exited with ${code}:\n${output}`))
    })
  })
}

async function appInfo(page: Page): Promise<unknown> {
  // Runs in the page; `globalThis` is its window (this file is typed for Node, not the DOM).
  await page.waitForFunction(() => (globalThis as PageGlobals).cairn !== undefined, null, {
    timeout: 15_000,
  })
  return page.evaluate(() =>
    (globalThis as PageGlobals).cairn!['app.info']({}).then(
      (info) => ({ ok: true, info }),
      (error: { code?: string; message?: string }) => ({
        ok: false,
        code: error.code,
        message: error.message,
      }),
    ),
  )
}

describe('headless host in a real browser', () => {
  let dataDir: string
  let host: Awaited<ReturnType<typeof startHostProcess>>
  let browser: Browser
  let origin: string
  const cspViolations: string[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cairn-host-e2e-'))
    host = await startHostProcess(join(dataDir, 'data'))
    origin = new URL(host.url).origin
    browser = await chromium.launch({ executablePath: chromiumPath, chromiumSandbox: false })
  })
  afterAll(async () => {
    await browser?.close()
    if (host?.child.exitCode === null) host.child.kill('SIGKILL')
    await rm(dataDir, { recursive: true, force: true })
  })

  const newPage = async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text())
    })
    return page
  }

  it('connects with the printed link, hides the token and survives a reload', async () => {
    const page = await newPage()
    await page.goto(host.url)
    expect(await appInfo(page)).toMatchObject({ ok: true, info: { host: 'headless' } })
    expect(page.url()).toBe(`${origin}/`)
    await page.reload()
    expect(await appInfo(page)).toMatchObject({ ok: true, info: { host: 'headless' } })
    expect(cspViolations).toEqual([])
    await page.context().close()
  })

  it('says what to do when opened without the token', async () => {
    const page = await newPage()
    await page.goto(`${origin}/`)
    const result = await appInfo(page)
    expect(result).toMatchObject({ ok: false, code: 'unauthorized' })
    expect((result as { message: string }).message).toMatch(/link the host printed/)
    await page.context().close()
  })

  it('refuses a page from another origin that knows the token', async () => {
    const token = new URL(host.url).hash.replace('#token=', '')
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' })
      res.end('<!doctype html><title>evil</title>')
    })
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r))
    const evilPort = (evil.address() as { port: number }).port
    try {
      const page = await newPage()
      await page.goto(`http://127.0.0.1:${evilPort}/`)
      const outcome = await page.evaluate(
        ({ wsUrl, token }) =>
          new Promise<string>((done) => {
            const ws = new WebSocket(wsUrl, ['cairn.v1', `cairn.v1.${token}`])
            ws.onopen = () => done('open')
            ws.onclose = () => done('refused')
          }),
        { wsUrl: `${origin.replace('http', 'ws')}/api`, token },
      )
      expect(outcome).toBe('refused')
      await page.context().close()
    } finally {
      evil.close()
    }
  })

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => host.child.once('exit', (code) => r(code)))
    host.child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(host.output()).toContain('Stopping Cairn')
    expect(host.output().match(/#token=/g)).toHaveLength(1)
  })
})
