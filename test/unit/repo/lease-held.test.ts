import { describe, expect, it } from 'vitest'
import { acquireLease, initRepository, openWorkspace } from '../../../src/main/core/repo'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import { MemoryStore } from '../../support/memory-store'

describe('Lease.assertHeld', () => {
  it('holds while renewed in time; a writer that stalled past its TTL must not commit', async () => {
    const store = new MemoryStore()
    const key = generateMasterKey()
    const repo = await initRepository(store, key)
    const workspace = await openWorkspace(repo, 'ws', { create: true })
    let now = Date.parse('2026-11-23T10:00:00Z')
    const lease = await acquireLease(workspace, {
      holder: 'backup job 1',
      hostname: 'laptop',
      ttlMs: 180_000,
      now: () => new Date(now),
    })
    now += 100_000
    expect(() => lease.assertHeld()).not.toThrow()
    await lease.renew()
    now += 150_000 // 150 s since the renewal: within 180 s less the margin
    expect(() => lease.assertHeld()).not.toThrow()
    now += 15_000 // 165 s: inside the 18 s margin before expiry
    expect(() => lease.assertHeld()).toThrow(/could not keep its hold/)
    await lease.renew()
    expect(() => lease.assertHeld()).not.toThrow()
    await lease.release()
    expect(() => lease.assertHeld()).toThrow(/backup job 1/)
  })
})
