import { describe, expect, it } from 'vitest'
import { acquireLease, removeExpiredLeases } from '../../../src/main/core/repo'
import { CairnError } from '../../../src/shared/errors'
import { MemoryStore } from '../../support/memory-store'
import { newWorkspace } from './support'

const base = { holder: 'backup job', hostname: 'desk-a' }

describe('workspace lease', () => {
  it('lets one writer in at a time and names the holder to the others', async () => {
    const { workspace } = await newWorkspace(new MemoryStore())
    const lease = await acquireLease(workspace, base)
    const error = await acquireLease(workspace, { holder: 'prune', hostname: 'desk-b' }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(CairnError)
    expect((error as CairnError).code).toBe('conflict')
    expect((error as CairnError).message).toMatch(/backup job on desk-a/)
    await lease.release()
    await (await acquireLease(workspace, { holder: 'prune', hostname: 'desk-b' })).release()
    expect(
      workspace.store instanceof MemoryStore && workspace.store.keysUnder(workspace.paths.locks),
    ).toEqual([])
  })

  it('lets exactly one of several simultaneous takers win', async () => {
    for (let round = 0; round < 10; round++) {
      const { workspace } = await newWorkspace(new MemoryStore())
      const results = await Promise.allSettled(
        ['a', 'b', 'c'].map((hostname) => acquireLease(workspace, { holder: 'backup', hostname })),
      )
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    }
  })

  it('ignores and removes a lease nobody renewed, and renewal keeps the holder first', async () => {
    const { workspace } = await newWorkspace(new MemoryStore())
    let clock = Date.parse('2030-01-01T00:00:00Z')
    const now = () => new Date(clock)
    const crashed = await acquireLease(workspace, { ...base, ttlMs: 60_000, now })
    clock += 30_000
    await crashed.renew()
    clock += 45_000
    // Still live thanks to the renewal.
    await expect(acquireLease(workspace, { ...base, hostname: 'desk-b', now })).rejects.toThrow(
      /desk-a/,
    )
    clock += 60_000
    const next = await acquireLease(workspace, { ...base, hostname: 'desk-b', now })
    expect(await removeExpiredLeases(workspace, { now })).toBe(1)
    await next.release()
  })

  it('does not lock its own process out when a release fails half-way', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const lease = await acquireLease(workspace, base)
    store.failWhen = (operation) => operation === 'delete'
    await expect(lease.release()).rejects.toThrow(/Injected failure/)
    store.failWhen = null
    const stale = store.keysUnder(workspace.paths.locks)
    expect(stale).toHaveLength(1)

    // The same process knows that lease is its own dead one: it takes a new lease at once and
    // removes the leftover on the way.
    const next = await acquireLease(workspace, { ...base, holder: 'next backup' })
    expect(store.keysUnder(workspace.paths.locks)).not.toContain(stale[0])
    await next.release()
    expect(store.keysUnder(workspace.paths.locks)).toEqual([])
  })

  it('forgets a lease whose create failed after it may have landed', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    // The put is stored, then the answer is lost.
    const put = store.put.bind(store)
    store.put = async (key, body, options) => {
      await put(key, body, options)
      if (key.startsWith(workspace.paths.locks)) throw new CairnError('unreachable', 'dropped')
    }
    await expect(acquireLease(workspace, base)).rejects.toThrow(/dropped/)
    store.put = put
    expect(store.keysUnder(workspace.paths.locks)).toHaveLength(1)
    const lease = await acquireLease(workspace, base)
    await lease.release()
    expect(store.keysUnder(workspace.paths.locks)).toEqual([])
  })
})
