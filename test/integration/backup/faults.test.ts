import { afterAll, beforeAll, expect, it } from 'vitest'
import { createFaultLoop, type FaultLoop } from '../../support/backup-fault-loop'

// Many backups, each broken at a random moment (SSH cut; S3 503/500, dropped, cut mid-transfer or
// hung), each followed by a clean one: never a half restore point, every listed one restores bit
// for bit, nothing uploaded is left unindexed. The same loop runs longer in `npm run test:soak`.

const RUNS = Number(process.env.BACKUP_FAULT_RUNS ?? 30)
const BUDGET_MS = 100_000
let loop: FaultLoop

beforeAll(async () => {
  loop = await createFaultLoop(Number(process.env.BACKUP_FAULT_SEED ?? 20260101))
})

afterAll(async () => {
  await loop?.close()
})

it(`survives ${RUNS} interrupted backups`, { timeout: 180_000 }, async () => {
  const started = Date.now()
  for (let i = 0; i < RUNS && Date.now() - started < BUDGET_MS; i++) {
    await loop.run()
    if (i % 10 === 9) await loop.checkAllSnapshots()
  }
  await loop.checkAllSnapshots()
  const { stats } = loop
  console.log(`backup faults: ${JSON.stringify(stats)}`)
  expect(stats.runs).toBeGreaterThanOrEqual(Math.min(RUNS, 10))
  // The faults really broke backups, in more than one way.
  expect(stats.faultedFailed).toBeGreaterThan(stats.runs / 3)
  expect(Object.values(stats.byKind).filter((k) => k.failed > 0).length).toBeGreaterThanOrEqual(3)
  // Every listed restore point was restored and compared.
  expect(stats.restoredAndCompared).toBe(stats.snapshots)
  expect(stats.snapshots).toBeGreaterThanOrEqual(stats.runs)
})
