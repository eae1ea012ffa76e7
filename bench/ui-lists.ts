/**
 * UI list benchmark (issue 6, point 10): 200 workspaces in the list and 5,000 restore points in
 * one workspace's timeline, in the real renderer served by the headless host, in Chromium.
 *
 * Seeding: 200 registry records (test/support/workspace-record.ts) and 5,000 real restore points
 * written through the repository API (core/repo SnapshotWriter, each an encrypted snapshot object
 * over one empty tree: the cheapest honest way; the timeline reads them like any other).
 *
 * Measures: time to first row (navigation start to the first row in the DOM), DOM node count,
 * and frame times while scrolling the page top to bottom (requestAnimationFrame deltas: p50, p95,
 * max, frames over 1.5x a 60 Hz frame). Run: `npm run bench:ui` (builds the renderer if needed).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { createCore } from '../src/main/core/app'
import { dispatch } from '../src/main/core/api/dispatch'
import { createSnapshotWriter, MemoryIndex, openWorkspace } from '../src/main/core/repo'
import { MemorySecretStore } from '../src/main/core/secrets/memory-secret-store'
import { startHost } from '../src/main/host/server'
import type { WorkspaceRecord } from '../src/shared/domain/workspace'
import { workspaceRecord } from '../test/support/workspace-record'
import { ensureRendererBuilt, RENDERER_DIR } from '../e2e/support/build'
import { launchChromium } from '../e2e/support/chromium'

const WORKSPACES = Number(process.env.BENCH_WORKSPACES ?? 200)
const POINTS = Number(process.env.BENCH_POINTS ?? 5000)

interface Row {
  what: string
  firstRenderMs: number | null
  domNodes: number
  frames: number
  p50: number
  p95: number
  max: number
  dropped: number
}

function record(i: number): WorkspaceRecord {
  const running = i % 3 === 0
  const now = Date.now()
  const name = `ws-${String(i).padStart(3, '0')}`
  return workspaceRecord({
    name,
    state: running ? 'running' : 'stopped',
    createdAt: new Date(now - 86_400_000 * 30).toISOString(),
    server: running
      ? {
          id: 10_000 + i,
          name: `cairn-${name}`,
          location: 'fsn1',
          serverType: 'cx22',
          image: 'ubuntu-24.04',
          createdAt: new Date(now - 3_600_000 * (i % 50)).toISOString(),
          priceHourly: '0.0067',
          priceMonthly: '4.15',
        }
      : null,
    lastBackup: {
      restorePointId: 'abcdef0123456789',
      time: new Date(now - 60_000 * 7 * i).toISOString(),
      trigger: 'schedule',
    },
  } as Partial<WorkspaceRecord>)
}

async function seedRestorePoints(
  core: Awaited<ReturnType<typeof createCore>>,
  workspaceId: string,
): Promise<number> {
  const started = performance.now()
  const { repo, close } = await core.workspaces.backup.openRepository()
  try {
    const ws = await openWorkspace(repo, workspaceId, { create: true })
    const index = new MemoryIndex()
    const first = Date.now() - POINTS * 3_600_000
    for (let i = 0; i < POINTS; i++) {
      const writer = await createSnapshotWriter(ws, { index })
      const tree = await writer.writeTree([])
      await writer.commit({
        tree,
        trigger: i % 10 === 0 ? 'manual' : 'schedule',
        paths: ['/home/dev'],
        hostname: 'bench',
        time: new Date(first + i * 3_600_000),
      })
    }
  } finally {
    close()
  }
  return performance.now() - started
}

/**
 * Scrolls the document (or the element `selector` names, for a list with its own scroller) top to
 * bottom in steps of one frame, recording rAF deltas.
 */
async function scrollFrames(page: Page, pxPerFrame: number, selector?: string): Promise<number[]> {
  const target = selector
    ? `document.querySelector(${JSON.stringify(selector)})`
    : 'document.scrollingElement'

  // A string, not a function: tsx's name helpers (__name) do not exist in the page.
  return page.evaluate(`new Promise((resolve) => {
    const el = ${target}
    el.scrollTop = 0
    const deltas = []
    let last = performance.now()
    const tick = (t) => {
      deltas.push(t - last)
      last = t
      const max = el.scrollHeight - el.clientHeight
      if (el.scrollTop >= max - 1 || deltas.length > 3000) return resolve(deltas.slice(1))
      el.scrollTop += ${pxPerFrame}
      requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })`)
}

function summarise(what: string, firstRenderMs: number | null, nodes: number, d: number[]): Row {
  const sorted = [...d].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return {
    what,
    firstRenderMs,
    domNodes: nodes,
    frames: d.length,
    p50: at(0.5),
    p95: at(0.95),
    max: sorted.at(-1) ?? 0,
    dropped: d.filter((x) => x > 25).length,
  }
}

async function main(): Promise<void> {
  ensureRendererBuilt()
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-bench-ui-'))
  const storage = await mkdtemp(join(tmpdir(), 'cairn-bench-ui-storage-'))
  const core = await createCore({
    dataDir,
    host: 'headless',
    version: '0.0.0-bench',
    secrets: new MemorySecretStore(),
    workspaces: { sshConfigPath: join(dataDir, 'ssh-config') },
  })
  const call = async (method: string, input: unknown) => {
    const result = await dispatch(core.handlers, method as never, input, { host: 'headless' })
    if (!result.ok) throw new Error(`${method}: ${result.error.message}`)
    return result.output
  }
  const rows: Row[] = []
  let host: Awaited<ReturnType<typeof startHost>> | null = null
  let browser: Awaited<ReturnType<typeof launchChromium>> | null = null
  try {
    await call('storage.save', { config: { kind: 'folder', path: storage } })
    await call('repository.init', {})
    const records = Array.from({ length: WORKSPACES }, (_, i) => record(i))
    for (const r of records) await core.workspaces.registry.add(r)
    const big = records[0]!
    const seedMs = await seedRestorePoints(core, big.id)
    console.log(
      `seeded ${WORKSPACES} workspaces and ${POINTS} restore points (${Math.round(seedMs)} ms)`,
    )

    host = await startHost({ dataDir, rendererDir: RENDERER_DIR, core })
    browser = await launchChromium()
    const context = await browser.browser.newContext({ viewport: { width: 1280, height: 800 } })
    const page = await context.newPage()
    // Onboarding is skipped for good (a stored preference), so the list is the first screen.
    await page.goto(host.url)
    const later = page.getByRole('button', { name: 'Set up later' })
    if (await later.isVisible({ timeout: 5_000 }).catch(() => false)) await later.click()
    await page.reload()
    await page.waitForSelector('[data-testid="workspace"]', { timeout: 60_000 })
    const listFirst = await page.evaluate<number>('performance.now()')
    await page.waitForTimeout(500)
    const listNodes = await page.evaluate<number>("document.querySelectorAll('*').length")
    const listFrames = await scrollFrames(page, 40)
    rows.push(summarise(`list (${WORKSPACES} workspaces)`, listFirst, listNodes, listFrames))

    // The timeline (the detail page's, another screen's): from the click to its first point.
    await page.evaluate('window.scrollTo(0, 0)')
    const t0 = Date.now()
    await page
      .locator(`[data-testid="workspace"][data-name="${big.name}"] [data-testid="workspace-open"]`)
      .click()
    const timeline = page.getByTestId('restore-point-timeline')
    const found = await timeline
      .waitFor({ timeout: 120_000 })
      .then(() => true)
      .catch(() => false)
    if (found) {
      await page
        .waitForFunction(
          `(document.querySelector('[data-testid="restore-point-timeline"]')?.querySelectorAll(
            '[data-testid="restore-point"], li, [role="row"], [role="listitem"]').length ?? 0) > 0`,
          undefined,
          { timeout: 120_000 },
        )
        .catch(() => {})
      const firstMs = Date.now() - t0
      await page.waitForTimeout(500)
      const nodes = await page.evaluate<number>("document.querySelectorAll('*').length")
      const frames = await scrollFrames(page, 200, '[data-testid="restore-point-timeline"]')
      rows.push(summarise(`timeline (${POINTS} restore points)`, firstMs, nodes, frames))
    } else {
      console.log('no restore-point-timeline on the detail page: timeline not measured')
    }
  } finally {
    await browser?.close()
    await host?.close()
    await core.dispose()
    await rm(dataDir, { recursive: true, force: true })
    await rm(storage, { recursive: true, force: true })
  }
  const f = (n: number | null) => (n === null ? 'n/a' : n.toFixed(1))
  console.log(
    '\n| what | first render ms | DOM nodes | frames | p50 ms | p95 ms | max ms | >25 ms |',
  )
  console.log('|---|---|---|---|---|---|---|---|')
  for (const r of rows)
    console.log(
      `| ${r.what} | ${f(r.firstRenderMs)} | ${r.domNodes} | ${r.frames} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.max)} | ${r.dropped} |`,
    )
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
