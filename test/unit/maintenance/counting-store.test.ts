import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CostLedger, monthOf } from '../../../src/main/core/costs/cost-ledger'
import {
  afterFreeTier,
  estimateMonthlyCost,
  R2_PRICES,
} from '../../../src/main/core/costs/r2-prices'
import { runInJobScope } from '../../../src/main/core/jobs/job-scope'
import { JobRequests } from '../../../src/main/core/costs/job-requests'
import { CountingStore } from '../../../src/main/core/storage/counting-store'
import { FolderStore } from '../../../src/main/core/storage/folder-store'
import { emptyRequestCounts } from '../../../src/main/core/storage/object-store'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(tmpdir(), 'cairn-count-'))
  dirs.push(d)
  return d
}

describe('CountingStore', () => {
  it('counts each wrapper its own requests although they share one store and run at once', async () => {
    const base = new FolderStore(tempDir())
    const a = new CountingStore(base)
    const b = new CountingStore(base)
    await Promise.all([
      (async () => {
        for (let i = 0; i < 20; i++) await a.put(`a/${i}`, Buffer.alloc(100))
      })(),
      (async () => {
        for (let i = 0; i < 5; i++) await b.put(`b/${i}`, Buffer.alloc(10))
        for (let i = 0; i < 5; i++) await b.get(`b/${i}`)
        await b.head('b/0')
        for await (const o of b.list('b/')) void o
        await b.delete('b/0')
      })(),
    ])
    expect(a.requests).toEqual({ ...emptyRequestCounts(), put: 20, bytesUp: 2000 })
    expect(b.requests).toMatchObject({
      put: 5,
      get: 5,
      head: 1,
      delete: 1,
      bytesUp: 50,
      bytesDown: 50,
    })
    expect(b.requests.list).toBeGreaterThanOrEqual(1)
    // The base store still counts everything.
    expect(base.requests.put).toBe(25)
  })

  it('nests: a command total and a step share see the same requests', async () => {
    const base = new FolderStore(tempDir())
    const total = new CountingStore(base)
    const step = new CountingStore(total)
    await step.put('x', Buffer.from('hello'))
    await total.get('x')
    expect(step.requests).toMatchObject({ put: 1, get: 0, bytesUp: 5 })
    expect(total.requests).toMatchObject({ put: 1, get: 1, bytesUp: 5, bytesDown: 5 })
  })

  it('stores opened inside a job count for that job only', async () => {
    const dataDir = tempDir()
    const ledger = new CostLedger(dataDir)
    const jobs = new JobRequests(ledger)
    const base = new FolderStore(tempDir())
    expect(jobs.wrap(base)).toBe(base) // outside a job: unchanged
    await Promise.all([
      runInJobScope({ id: 'j1', kind: 'backup', workspaceId: 'w1' }, async () => {
        const store = jobs.wrap(base)
        for (let i = 0; i < 3; i++) await store.put(`j1/${i}`, Buffer.alloc(1))
        // A second store opened by the same job adds to the same counters.
        await jobs.wrap(base).get('j1/0')
      }),
      runInJobScope({ id: 'j2', kind: 'verify', workspaceId: 'w2' }, async () => {
        const store = jobs.wrap(base)
        await store.put('j2/0', Buffer.alloc(1))
      }),
    ])
    expect(jobs.of('j1')).toMatchObject({ put: 3, get: 1 })
    expect(jobs.of('j2')).toMatchObject({ put: 1, get: 0 })
  })
})

describe('cost ledger and R2 prices', () => {
  it('keeps running totals per workspace and month in an atomic JSON file', async () => {
    const dataDir = tempDir()
    let now = new Date('2026-10-31T23:00:00Z')
    const ledger = new CostLedger(dataDir, () => now)
    await ledger.addRequests('w1', { ...emptyRequestCounts(), put: 2, get: 5 })
    now = new Date('2026-11-02T10:00:00Z')
    await Promise.all([
      ledger.addRequests('w1', { ...emptyRequestCounts(), put: 1, list: 3 }),
      ledger.addRequests('w1', { ...emptyRequestCounts(), put: 1 }),
      ledger.setStored('w1', 5e9),
    ])
    const again = await new CostLedger(dataDir).snapshot()
    expect(again.w1!.months['2026-10']).toMatchObject({ put: 2, get: 5 })
    expect(again.w1!.months['2026-11']).toMatchObject({ put: 2, list: 3 })
    expect(again.w1!.stored).toEqual({ bytes: 5e9, measuredAt: '2026-11-02T10:00:00.000Z' })
    expect(fs.readdirSync(dataDir)).toEqual(['storage-costs.json'])
    expect(monthOf(now)).toBe('2026-11')
  })

  it('prices storage and requests at the table, and the free tier only for the account', () => {
    const cost = estimateMonthlyCost(100e9, { put: 1_000_000, list: 0, get: 2_000_000, head: 0 })
    expect(cost.storage).toBeCloseTo(100 * R2_PRICES.storagePerGbMonth)
    expect(cost.classA).toBeCloseTo(4.5)
    expect(cost.classB).toBeCloseTo(0.72)
    expect(cost.total).toBeCloseTo(1.5 + 4.5 + 0.72)
    expect(afterFreeTier(100e9, { put: 1_000_000, list: 0, get: 2_000_000, head: 0 })).toBeCloseTo(
      90 * 0.015,
    )
  })
})
