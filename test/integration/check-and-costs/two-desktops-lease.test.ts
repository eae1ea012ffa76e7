import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobResult } from '../../../src/shared/domain/backup'
import type { StorageCosts } from '../../../src/shared/domain/costs'
import type { Job } from '../../../src/shared/domain/jobs'
import { backupContext } from '../../../src/main/core/api/handlers/backup-context'
import { monthOf } from '../../../src/main/core/costs/cost-ledger'
import { acquireLease, openWorkspace } from '../../../src/main/core/repo'
import { cloudInfo } from '../../support/cloud-info'
import { finished, type Harness, ok, startHarness } from '../core/core-harness'

// Issue 5, "done when": two desktops pointing at one workspace's repository cannot both write at
// once, and a crashed holder's lease expires and the next backup proceeds. Two cores (two
// desktops: own data dir, own keychain) on the same S3 prefix, the second one with the first's
// master key through the recovery key. Backups of a local folder, so no VM is needed.

let a: Harness
let b: Harness
let dir: string
let source: string
const WS = 'shared-ws'
const CHILD = path.join(import.meta.dirname, 'lease-holder-child.ts')

async function backup(h: Harness): Promise<Job> {
  const job = ok<Job>(
    await h.call('backup.start', { workspaceId: WS, source: { kind: 'local', path: source } }),
  )
  return finished(h, job.id)
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(tmpdir(), 'cairn-lease-it-'))
  source = path.join(dir, 'work')
  fs.mkdirSync(source)
  // Enough incompressible data that both backups are under way at the same time.
  for (let i = 0; i < 24; i++)
    fs.writeFileSync(path.join(source, `f${i}.bin`), randomBytes(1 << 20))
  const s3 = cloudInfo().s3
  const config = {
    kind: 's3',
    endpoint: s3.endpoint,
    region: s3.region,
    bucket: s3.bucket,
    prefix: `lease-it-${randomBytes(4).toString('hex')}`,
    accessKeyId: s3.accessKeyId,
    forcePathStyle: true,
  }
  ;[a, b] = await Promise.all([startHarness(), startHarness()])
  ok(await a.call('storage.save', { config, secretAccessKey: s3.secretAccessKey }))
  ok(await a.call('repository.init'))
  const { recoveryKey } = ok<{ recoveryKey: string }>(await a.call('keys.exportRecovery'))
  ok(await b.call('storage.save', { config, secretAccessKey: s3.secretAccessKey }))
  ok(await b.call('keys.importRecovery', { recoveryKey }))
  expect(ok<{ state: string }>(await b.call('repository.status')).state).toBe('ready')
}, 30_000)

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()])
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

describe('two desktops, one workspace', () => {
  it('lets exactly one backup write; the other gets a conflict naming the holder and its age', async () => {
    const [ja, jb] = await Promise.all([backup(a), backup(b)])
    const states = [ja.state, jb.state].sort()
    expect(states, JSON.stringify([ja.error, jb.error])).toEqual(['failed', 'succeeded'])
    const loser = ja.state === 'failed' ? ja : jb
    const winner = loser === ja ? jb : ja
    expect(loser.error?.code).toBe('conflict')
    expect(loser.error?.message).toContain(`backup job ${winner.id} on ${hostname()}`)
    expect(loser.error?.message).toMatch(/taken \d+ s ago/)
    // The winner's restore point is the only one, and the lease is gone after it.
    const list = ok<{ restorePoints: unknown[] }>(
      await a.call('restorePoints.list', { workspaceId: WS }),
    )
    expect(list.restorePoints).toHaveLength(1)
    // The winner's requests are in its result; the loser's (it looked for leases, wrote its own
    // and removed it) are in its desktop's ledger although it has no result.
    const winnerDesk = winner === ja ? a : b
    const loserDesk = winner === ja ? b : a
    const result = ok<JobResult>(await winnerDesk.call('jobs.result', { id: winner.id }))
    expect((result as { requests?: { put: number } }).requests?.put).toBeGreaterThan(1)
    expect(ok(await loserDesk.call('jobs.result', { id: loser.id }))).toBeNull()
    const ledger = await backupContext(loserDesk.core.services).costs.snapshot()
    expect(ledger[WS]?.months[monthOf(new Date())]?.list).toBeGreaterThan(0)
    // And once the winner is done, the other desktop backs up at once.
    expect((await backup(loser === ja ? a : b)).state).toBe('succeeded')
  }, 40_000)

  it("waits out a crashed desktop's lease, then the next backup proceeds", async () => {
    // The crashed desktop: took the lease 3 minutes ago, renewed it last just before it died, so
    // it holds for 2 more seconds and nobody will renew it.
    const { repo, close } = await backupContext(a.core.services).openRepository()
    try {
      const workspace = await openWorkspace(repo, WS)
      let clock = Date.now() - 3 * 60_000
      const crashed = await acquireLease(workspace, {
        holder: 'backup job crashed-1',
        hostname: 'old-laptop',
        ttlMs: 3 * 60_000 + 2_000,
        now: () => new Date(clock),
      })
      void crashed // never renewed, never released: its process is gone
      clock = Date.now()
      const refused = await backup(b)
      expect(refused.state).toBe('failed')
      expect(refused.error?.code).toBe('conflict')
      expect(refused.error?.message).toMatch(
        /backup job crashed-1 on old-laptop \(taken 1[78]\d s ago/,
      )
      await new Promise((r) => setTimeout(r, 2_200))
      const next = await backup(b)
      expect(next.state, next.error?.message).toBe('succeeded')
      // The expired lease object was cleaned up by that backup.
      const locks: string[] = []
      for await (const o of repo.store.list(workspace.paths.locks)) locks.push(o.key)
      expect(locks).toEqual([])
    } finally {
      close()
    }
  }, 40_000)

  it('a holder killed while renewing blocks the next backup only until its lease expires', async () => {
    const context = backupContext(a.core.services)
    const { config } = await context.configuredStore().then((c) => (c.close(), c))
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        CAIRN_TEST_LEASE: JSON.stringify({
          config,
          secretAccessKey: cloudInfo().s3.secretAccessKey,
          masterKeyHex: Buffer.from(await context.masterKeys.require()).toString('hex'),
          workspaceId: WS,
          ttlMs: 6_000,
        }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve())
        child.on('exit', (code) => reject(new Error(`lease holder exited with ${code}`)))
      })
    } finally {
      child.kill('SIGKILL')
    }
    const killedAt = Date.now()
    const refused = await backup(b)
    expect(refused.state).toBe('failed')
    expect(refused.error?.code).toBe('conflict')
    expect(refused.error?.message).toMatch(/backup job killed-1 on desk-crashed \(taken \d+ s ago/)
    // Renewed every 2 s until the kill, so it expires between 4 and 6 s after it.
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + 6_200 - Date.now())))
    const next = await backup(b)
    expect(next.state, next.error?.message).toBe('succeeded')
  }, 40_000)

  it('counts every job’s requests into the workspace total and prices them at R2', async () => {
    const costs = ok<StorageCosts>(await b.call('storage.costs', { measure: true }))
    const ws = costs.workspaces.find((w) => w.workspaceId === WS)!
    expect(ws.storedBytes).toBeGreaterThan(24 << 20)
    expect(ws.requestsThisMonth.put).toBeGreaterThan(2)
    expect(ws.requestsThisMonth.bytesUp).toBeGreaterThan(0)
    expect(ws.classA).toBe(ws.requestsThisMonth.put + ws.requestsThisMonth.list)
    expect(ws.estimate.total).toBeGreaterThan(0)
    expect(costs.prices.storagePerGbMonth).toBe(0.015)
    // The totals survive a restart: they are in the data dir.
    expect(fs.existsSync(path.join(b.dataDir, 'storage-costs.json'))).toBe(true)
  }, 20_000)
})
