import type { IdleSettings } from '../../../shared/domain/idle'
import { CairnError } from '../../../shared/errors'
import { workspacesToStopOnQuit } from '../idle/idle-settings'
import { stopWorkspaceAndWait, type StopReason } from './stop-workspace'
import type { WorkspaceContext } from './workspace-context'

export interface StopAllOutcome {
  id: string
  name: string
  ok: boolean
  /** Why the stop failed (the server then still runs), null when it succeeded. */
  error: { code: string; message: string } | null
}

/**
 * Stops every running Hetzner workspace (each: back up, verify, delete the server), all at once,
 * and resolves when every stop has finished or failed. Workspaces on the user's own SSH hosts are
 * never stopped. For "stop all when Cairn quits": the shell waits for this before it exits.
 */
export async function stopAllRunning(
  ctx: WorkspaceContext,
  reason: StopReason = 'quit',
): Promise<StopAllOutcome[]> {
  const running = (await ctx.registry.list()).filter(
    (r) => r.provider === 'hetzner' && r.state === 'running' && r.server !== null,
  )
  return stopEach(
    ctx,
    running.map((r) => ({ id: r.id, name: r.name })),
    reason,
  )
}

/** What to do when Cairn quits: stops every running Hetzner workspace if the user asked for it. */
export async function stopOnQuit(
  ctx: WorkspaceContext,
  settings: IdleSettings,
): Promise<StopAllOutcome[]> {
  const records = await ctx.registry.list()
  const ids = workspacesToStopOnQuit(
    settings,
    records.map((r) => ({
      id: r.id,
      running: r.state === 'running' && r.server !== null,
      stoppable: r.provider === 'hetzner',
    })),
  )
  const names = new Map(records.map((r) => [r.id, r.name]))
  return stopEach(
    ctx,
    ids.map((id) => ({ id, name: names.get(id) ?? id })),
    'quit',
  )
}

async function stopEach(
  ctx: WorkspaceContext,
  workspaces: Array<{ id: string; name: string }>,
  reason: StopReason,
): Promise<StopAllOutcome[]> {
  return Promise.all(
    workspaces.map(({ id, name }) =>
      stopWorkspaceAndWait(ctx, id, reason).then(
        (): StopAllOutcome => ({ id, name, ok: true, error: null }),
        (error: unknown): StopAllOutcome => ({
          id,
          name,
          ok: false,
          error:
            error instanceof CairnError
              ? { code: error.code, message: error.message }
              : { code: 'internal', message: 'Stopping failed unexpectedly.' },
        }),
      ),
    ),
  )
}
