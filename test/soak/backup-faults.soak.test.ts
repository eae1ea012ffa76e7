import { afterAll, beforeAll, expect, it } from 'vitest'
import { createFaultLoop, type FaultLoop } from '../support/backup-fault-loop'

// The fault loop of test/integration/backup/faults.test.ts and
// test/integration/prune/prune-faults.test.ts, bounded by time instead of a run count:
// SOAK_MINUTES (default 10). Backups, forgets and prunes, each broken at a random moment (and in
// SOAK_KILL_SHARE of the runs, default 0.3, a backup or prune in a child process killed); every
// failed prune is followed by a check that every listed restore point restores bit for bit and by
// a clean prune that must leave nothing to prune; every 10 runs all listed restore points are
// restored and compared. At the end a final prune, then all of them again. The counts go into
// docs/reliability.md.

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10)
let loop: FaultLoop

beforeAll(async () => {
  const seed = Number(process.env.BACKUP_FAULT_SEED ?? Date.now() % 1_000_000)
  console.log(`soak seed ${seed}`)
  loop = await createFaultLoop(seed, {
    mix: true,
    killShare: Number(process.env.SOAK_KILL_SHARE ?? 0.3),
  })
})

afterAll(async () => {
  await loop?.close()
})

it(
  `survives interrupted backups, forgets and prunes for ${MINUTES} minutes`,
  { timeout: (MINUTES + 10) * 60_000 },
  async () => {
    const started = Date.now()
    const deadline = started + MINUTES * 60_000
    while (Date.now() < deadline) {
      await loop.run()
      if (loop.stats.runs % 10 === 0) {
        await loop.checkAllSnapshots()
        console.log(`soak: ${JSON.stringify(loop.stats)}`)
      }
    }
    await loop.finish()
    console.log(
      `soak done in ${Math.round((Date.now() - started) / 1000)} s: ${JSON.stringify(loop.stats)}`,
    )
    expect(loop.stats.faultedFailed).toBeGreaterThan(0)
    expect(loop.stats.prunesFailed).toBeGreaterThan(0)
    expect(loop.stats.restoreChecks).toBeGreaterThanOrEqual(loop.stats.snapshots)
  },
)
