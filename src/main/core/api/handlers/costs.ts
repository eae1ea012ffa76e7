import type { StorageCosts, WorkspaceCost } from '../../../../shared/domain/costs'
import type { Handlers } from '../dispatch'
import { monthOf } from '../../costs/cost-ledger'
import { REPOSITORY_LEDGER_KEY } from '../../costs/job-requests'
import {
  afterFreeTier,
  classARequests,
  classBRequests,
  estimateMonthlyCost,
  R2_PRICES,
} from '../../costs/r2-prices'
import { listWorkspaces, openRepository } from '../../repo'
import { addRequestCounts, CountingStore } from '../../storage/counting-store'
import { emptyRequestCounts } from '../../storage/object-store'
import { measureStorage } from '../../workspaces/storage-use'
import type { WorkspaceContext } from '../../workspaces/workspace-context'

/**
 * storage.costs: per workspace the bytes stored (last measured, or measured now with `measure`)
 * and the requests Cairn's jobs made this month, priced at R2's list prices. The estimate per
 * workspace leaves out the free tier (it is the account's); the total is also given after it.
 */
export function costsHandlers(ctx: WorkspaceContext): Pick<Handlers, 'storage.costs'> {
  const { backup } = ctx
  return {
    'storage.costs': async ({ measure }, call) => {
      if (measure) {
        const { store, close } = await backup.configuredStore()
        try {
          const key = await backup.masterKeys.require()
          const repo = await openRepository(store, key, call.signal ? { signal: call.signal } : {})
          const present = await listWorkspaces(repo, call.signal ? { signal: call.signal } : {})
          // Workspaces deleted since they were measured take nothing now.
          for (const id of Object.keys(await backup.costs.snapshot())) {
            if (id !== REPOSITORY_LEDGER_KEY && !present.includes(id)) {
              ctx.storage.delete(id)
              await backup.costs.setStored(id, 0)
            }
          }
          for (const id of present) {
            // The measuring LISTs are requests too: counted for the workspace.
            const counting = new CountingStore(store)
            const use = await measureStorage(counting, id, call.signal)
            ctx.storage.set(id, use)
            await backup.costs.addRequests(id, counting.requests)
          }
        } finally {
          close()
        }
      }
      // What backups and reconciles measured since the start is newer than the ledger's copy.
      for (const [id, use] of ctx.storage) await backup.costs.setStored(id, use.bytes)
      const ledger = await backup.costs.snapshot()
      const month = monthOf(new Date())
      const ids = new Set([...(await ctx.registry.list()).map((r) => r.id), ...Object.keys(ledger)])
      const workspaces: WorkspaceCost[] = []
      let stored = 0
      let requests = emptyRequestCounts()
      for (const id of [...ids].sort()) {
        const entry = ledger[id]
        const counts = entry?.months[month] ?? emptyRequestCounts()
        const bytes = entry?.stored?.bytes ?? null
        if (id === REPOSITORY_LEDGER_KEY && bytes === null && counts.put + counts.get === 0)
          continue
        stored += bytes ?? 0
        requests = addRequestCounts(requests, counts)
        workspaces.push({
          workspaceId: id,
          storedBytes: bytes,
          storedMeasuredAt: entry?.stored?.measuredAt ?? null,
          requestsThisMonth: counts,
          classA: classARequests(counts),
          classB: classBRequests(counts),
          estimate: estimateMonthlyCost(bytes ?? 0, counts),
        })
      }
      const result: StorageCosts = {
        month,
        workspaces,
        totalEstimate: workspaces.reduce((sum, w) => sum + w.estimate.total, 0),
        totalAfterFreeTier: afterFreeTier(stored, requests),
        prices: { ...R2_PRICES },
      }
      return result
    },
  }
}
