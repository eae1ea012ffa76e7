import type { WorkspaceList } from '../../../shared/domain/workspace'
import { reconcileState } from './reconcile-state'
import type { WorkspaceContext } from './workspace-context'

/**
 * The list the UI shows: every workspace with its cost now and the storage last measured, what the
 * last reconcile found besides them, and totals. Running totals count orphan servers too: they
 * are billed like any other. Storage counts every workspace in the repository (discovered ones
 * included), as the provider bills it.
 */
export async function listView(ctx: WorkspaceContext, now = Date.now()): Promise<WorkspaceList> {
  const state = reconcileState(ctx)
  const workspaces = (await ctx.registry.list()).map((r) => ctx.view(r, now))
  const totals = { runningEur: 0, monthlyEur: 0, hourlyEur: 0, storageBytes: 0 }
  for (const w of workspaces) {
    if (w.cost) {
      totals.runningEur += w.cost.runningEur
      totals.monthlyEur += w.cost.monthlyEur
      totals.hourlyEur += w.cost.hourlyEur
    }
    totals.storageBytes += w.storageBytes ?? 0
  }
  for (const o of state.orphans) {
    totals.runningEur += o.runningEur
    totals.monthlyEur += o.monthlyEur
    totals.hourlyEur += o.hourlyEur
  }
  for (const d of state.discovered)
    totals.storageBytes += ctx.storage.get(d.workspaceId)?.bytes ?? 0
  // Float sums drift in the last digits; prices have at most a few decimals.
  const round = (eur: number) => Math.round(eur * 1_000_000) / 1_000_000
  return {
    workspaces,
    orphans: state.orphans.map((o) => ({ ...o })),
    discovered: state.discovered.map((d) => ({
      workspaceId: d.workspaceId,
      name: d.name,
      restorePointCount: d.restorePointCount,
      latest: d.latest?.time ?? null,
    })),
    totals: {
      runningEur: round(totals.runningEur),
      monthlyEur: round(totals.monthlyEur),
      hourlyEur: round(totals.hourlyEur),
      storageBytes: totals.storageBytes,
    },
    reconciledAt: await ctx.registry.getReconciledAt(),
    reconcileProblem: state.problem,
  }
}

/** Tells the UI that orphans, discovered workspaces or totals changed (workspaces.reconciled). */
export async function publishList(ctx: WorkspaceContext): Promise<void> {
  try {
    ctx.s.events.emit('workspaces.reconciled', await listView(ctx))
  } catch (error) {
    ctx.s.logger.error('listing workspaces for the UI failed', error)
  }
}
