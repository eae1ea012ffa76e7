import { afterAll, beforeAll, expect, it } from 'vitest'
import { createFaultLoop, type FaultLoop } from '../../support/backup-fault-loop'

// The short version of the soak (test/soak/backup-faults.soak.test.ts): backups, forgets and
// prunes, each broken at a random moment (SSH cut; S3 503/500, dropped, cut mid-transfer or hung),
// a clean prune after every failed one; at the end a final prune, then every listed restore point
// restores bit for bit and nothing is left unreferenced or unindexed.

const RUNS = Number(process.env.PRUNE_FAULT_RUNS ?? 12)
const BUDGET_MS = 30_000
let loop: FaultLoop

beforeAll(async () => {
  loop = await createFaultLoop(Number(process.env.PRUNE_FAULT_SEED ?? 20261123), {
    mix: true,
    killShare: Number(process.env.PRUNE_FAULT_KILL_SHARE ?? 0.25),
  })
})

afterAll(async () => {
  await loop?.close()
})

it(
  'backups, forgets and prunes under faults keep every restore point intact',
  { timeout: 120_000 },
  async () => {
    const started = Date.now()
    for (let i = 0; i < RUNS && Date.now() - started < BUDGET_MS; i++) await loop.run()
    await loop.finish()
    const { stats } = loop
    console.log(`backup/forget/prune faults: ${JSON.stringify(stats)}`)
    expect(stats.runs).toBeGreaterThanOrEqual(4)
    expect(stats.prunes).toBeGreaterThan(0)
    expect(stats.prunesFailed + stats.forgetsFailed).toBeGreaterThan(0)
    expect(stats.restoreChecks).toBeGreaterThanOrEqual(stats.snapshots)
  },
)
