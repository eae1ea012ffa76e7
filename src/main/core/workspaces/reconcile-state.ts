import type { OrphanServer } from '../../../shared/domain/workspace'
import type { WorkspaceContext } from './workspace-context'

/** A workspace found in the repository that the registry does not have (see discover.ts). */
export interface DiscoveredWorkspace {
  workspaceId: string
  /** From the latest restore point's `name:<name>` tag, when it has one. */
  name: string | null
  restorePointCount: number
  /** The latest restore point: what importing it records as the last backup, and its paths. */
  latest: { id: string; time: string; trigger: string; paths: string[] } | null
}

/**
 * What the last reconcile found besides the registry: orphan servers, discovered workspaces and why
 * it could not finish. Kept in memory (one per core): the next reconcile, at start-up or on demand,
 * finds them again, so nothing here needs to survive a restart.
 */
export interface ReconcileState {
  orphans: OrphanServer[]
  discovered: DiscoveredWorkspace[]
  problem: string | null
  /** The reconcile under way. */
  running: Promise<void> | null
  /** The one that runs after it, shared by every request that came while it ran. */
  again: Promise<void> | null
}

const states = new WeakMap<WorkspaceContext, ReconcileState>()

export function reconcileState(ctx: WorkspaceContext): ReconcileState {
  let state = states.get(ctx)
  if (!state) {
    states.set(
      ctx,
      (state = {
        orphans: [],
        discovered: [],
        problem: null,
        running: null,
        again: null,
      }),
    )
  }
  return state
}
