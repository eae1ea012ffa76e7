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
import { JobRequests, REPOSITORY_LEDGER_KEY } from '../../../src/main/core/costs/job-requests'
import { CountingStore } from '../../../src/main/core/storage/counting-store'
import { FolderStore } from '../../../src/main/core/storage/folder-store'
import { EventBus } from '../../../src/main/core/api/event-bus'
import type { JobResult } from '../../../src/shared/domain/backup'
import type { Job } from '../../../src/shared/domain/jobs'
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

describe('JobRequests.follow', () => {
  it('adds the requests to a finished job result, gives a result-less job one, and fills the ledger', async () => {
    const ledger = new CostLedger(tempDir())
    const jobs = new JobRequests(ledger)
    const events = new EventBus()
    const results = new Map<string, JobResult>()
    jobs.follow(events, {
      result: (id) => results.get(id) ?? null,
      setResult: (id, r) => results.set(id, r),
    })
    const base = new FolderStore(tempDir())
    for (const id of ['verify-1', 'delete-1', 'cancelled-1']) {
      await runInJobScope({ id, kind: 'verify', workspaceId: 'w1' }, async () => {
        await jobs.wrap(base).put(`${id}/x`, Buffer.alloc(3))
      })
    }
    results.set('verify-1', {
      kind: 'repair-index',
      workspaceId: 'w1',
      indexed: [],
      blobsAdded: 0,
      failed: [],
      indexFiles: [],
      movedIndexFiles: [],
    })
    const job = (id: string, state: Job['state']) =>
      ({ id, state, workspaceId: 'w1' }) as unknown as Job
    events.emit('job.updated', job('verify-1', 'running'))
    expect(results.get('verify-1')).not.toHaveProperty('requests')
    events.emit('job.updated', job('verify-1', 'succeeded'))
    events.emit('job.updated', job('delete-1', 'succeeded'))
    events.emit('job.updated', job('cancelled-1', 'cancelled'))
    expect(results.get('verify-1')).toMatchObject({
      kind: 'repair-index',
      requests: { put: 1, bytesUp: 3 },
    })
    expect(results.get('delete-1')).toEqual({
      kind: 'requests',
      requests: { ...emptyRequestCounts(), put: 1, bytesUp: 3 },
    })
    expect(results.has('cancelled-1')).toBe(false)
    // A timer the job left behind still carries its scope: its requests are no longer the job's.
    await runInJobScope({ id: 'delete-1', kind: 'delete', workspaceId: 'w1' }, async () => {
      expect(jobs.wrap(base)).toBe(base)
    })
    const totals = await ledger.snapshot()
    expect(totals.w1!.months[monthOf(new Date())]).toMatchObject({ put: 3, bytesUp: 9 })
  })
})

describe('a job over several workspaces', () => {
  it('records each workspace its own requests and the rest for the repository', async () => {
    const ledger = new CostLedger(tempDir())
    const jobs = new JobRequests(ledger)
    const events = new EventBus()
    const results = new Map<string, JobResult>()
    jobs.follow(events, {
      result: (id) => results.get(id) ?? null,
      setResult: (id, r) => results.set(id, r),
    })
    const base = new FolderStore(tempDir())
    await runInJobScope({ id: 'all', kind: 'check', workspaceId: null }, async () => {
      const store = jobs.wrap(base)
      await store.put('listing', Buffer.alloc(1))
      await runInJobScope({ id: 'all', kind: 'check', workspaceId: 'wa' }, async () => {
        await store.put('wa/1', Buffer.alloc(1))
        await store.get('wa/1')
      })
      await runInJobScope({ id: 'all', kind: 'check', workspaceId: 'wb' }, () =>
        store.put('wb/1', Buffer.alloc(1)),
      )
    })
    events.emit('job.updated', { id: 'all', state: 'succeeded' } as unknown as Job)
    expect(results.get('all')).toMatchObject({ kind: 'requests', requests: { put: 3, get: 1 } })
    const month = monthOf(new Date())
    const totals = await ledger.snapshot()
    expect(totals.wa!.months[month]).toMatchObject({ put: 1, get: 1 })
    expect(totals.wb!.months[month]).toMatchObject({ put: 1, get: 0 })
    expect(totals[REPOSITORY_LEDGER_KEY]!.months[month]).toMatchObject({ put: 1, get: 0 })
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
