import type { WorkspaceContext } from './workspace-context'

/** A delete action normally takes seconds; past this Cairn reports it and tries again later. */
const DELETE_ACTION_TIMEOUT_MS = 5 * 60_000

/**
 * Deletes a Hetzner server and waits for Hetzner's delete action to succeed. A server Hetzner does
 * not know (any more) counts as deleted: a retry after a lost answer, or a delete finished before
 * a crash. 429, 5xx, `locked` and `conflict` answers are retried by the client's background
 * policy; what is still failing after that is thrown.
 */
export async function deleteHetznerServer(
  ctx: WorkspaceContext,
  serverId: number,
  signal?: AbortSignal,
): Promise<void> {
  const hetzner = await ctx.hetzner()
  const action = await hetzner.servers.delete(serverId, signal)
  if (!action) return
  await hetzner.actions.waitFor([action], {
    timeoutMs: DELETE_ACTION_TIMEOUT_MS,
    pollIntervalMs: ctx.options.pollIntervalMs ?? 1_000,
    ...(signal ? { signal } : {}),
  })
}
