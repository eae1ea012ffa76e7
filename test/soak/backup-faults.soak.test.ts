import { afterAll, beforeAll, expect, it } from 'vitest'
import { createFaultLoop, type FaultLoop } from '../support/backup-fault-loop'

// The backup fault loop of test/integration/backup/faults.test.ts, bounded by time instead of a
// run count: SOAK_MINUTES (default 10). Every 10 runs, every listed restore point is restored and
// compared with the state it was taken from.

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10)
let loop: FaultLoop

beforeAll(async () => {
  loop = await createFaultLoop(Number(process.env.BACKUP_FAULT_SEED ?? Date.now() % 1_000_000))
})

afterAll(async () => {
  await loop?.close()
})

it(
  `survives interrupted backups for ${MINUTES} minutes`,
  { timeout: (MINUTES + 10) * 60_000 },
  async () => {
    const deadline = Date.now() + MINUTES * 60_000
    while (Date.now() < deadline) {
      await loop.run()
      if (loop.stats.runs % 10 === 0) {
        await loop.checkAllSnapshots()
        console.log(`backup soak: ${JSON.stringify(loop.stats)}`)
      }
    }
    await loop.checkAllSnapshots()
    console.log(`backup soak done: ${JSON.stringify(loop.stats)}`)
    expect(loop.stats.faultedFailed).toBeGreaterThan(0)
    expect(loop.stats.restoredAndCompared).toBe(loop.stats.snapshots)
  },
)
