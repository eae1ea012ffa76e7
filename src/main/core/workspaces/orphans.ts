import type { Job } from '../../../shared/domain/jobs'
import type { OrphanServer, WorkspaceRecord } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import type { HetznerServer } from '../hetzner/types'
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, WORKSPACE_ID_LABEL } from '../provision/labels'
import { costOf } from './cost'
import { publishList } from './list-view'
import { reconcileState } from './reconcile-state'
import type { PriceLookup } from './server-prices'
import type { WorkspaceContext } from './workspace-context'

/**
 * Servers labelled managed-by=cairn that no workspace here accounts for. A server is accounted for
 * when a record has it as its server, or an operation under way may have made it: the record's
 * pending operation names it, or the record it is labelled with is mid-operation (pending, or a job
 * running: a create or start whose answer has not been recorded yet).
 */
export function findOrphans(
  servers: readonly HetznerServer[],
  records: readonly WorkspaceRecord[],
  busyWorkspaces: ReadonlySet<string>,
  prices: PriceLookup,
  now = Date.now(),
): OrphanServer[] {
  const known = new Set<number>()
  const inFlight = new Set<string>()
  for (const r of records) {
    if (r.server) known.add(r.server.id)
    if (r.pending?.serverId != null) known.add(r.pending.serverId)
    if (r.pending || busyWorkspaces.has(r.id)) inFlight.add(r.id)
  }
  return servers
    .filter((s) => s.labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && !known.has(s.id))
    .filter((s) => !inFlight.has(s.labels[WORKSPACE_ID_LABEL] ?? ''))
    .map((s) => toOrphan(s, prices, now))
}

export function toOrphan(s: HetznerServer, prices: PriceLookup, now = Date.now()): OrphanServer {
  const price = prices(s.serverType, s.location)
  const cost = price
    ? costOf({ createdAt: s.created, ...price }, now)
    : { runningEur: 0, hourlyEur: 0, monthlyEur: 0 }
  return {
    serverId: s.id,
    name: s.name,
    workspaceId: s.labels[WORKSPACE_ID_LABEL] ?? null,
    location: s.location,
    serverType: s.serverType,
    status: s.status,
    createdAt: s.created,
    ip: s.ipv4,
    ...cost,
  }
}

/** Workspaces with a job running now (their records may be about to change). */
export function busyWorkspaces(ctx: WorkspaceContext): Set<string> {
  return new Set(
    ctx.s.jobs
      .list()
      .filter((j) => (j.state === 'running' || j.state === 'queued') && j.workspaceId !== null)
      .map((j) => j.workspaceId as string),
  )
}

/** The server, checked to be an orphan still: Cairn's label, and no workspace here has it. */
export async function requireOrphan(
  ctx: WorkspaceContext,
  server: HetznerServer | null,
  serverId: number,
): Promise<HetznerServer> {
  if (!server) {
    forget(ctx, serverId)
    throw new CairnError('not_found', `Hetzner has no server ${serverId} (any more).`)
  }
  if (server.labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE) {
    throw new CairnError(
      'forbidden',
      `The server ${server.name} was not made by Cairn (it has no managed-by=cairn label), so ` +
        'Cairn leaves it alone. Manage it in the Hetzner Cloud Console.',
    )
  }
  const records = await ctx.registry.list()
  const owner = records.find((r) => r.server?.id === serverId || r.pending?.serverId === serverId)
  if (owner) {
    throw new CairnError(
      'conflict',
      `The server ${server.name} belongs to the workspace ${owner.name}; manage it there.`,
    )
  }
  return server
}

/**
 * Deletes an orphan server (job kind 'delete', no workspace) once `confirmName` is its name, and
 * waits for Hetzner's delete action. Checks run before the job starts, so a wrong name is an error
 * of the call, not a failed job.
 */
export async function deleteOrphan(
  ctx: WorkspaceContext,
  input: { serverId: number; confirmName: string },
  signal?: AbortSignal,
): Promise<Job> {
  const client = await ctx.hetzner()
  const server = await requireOrphan(
    ctx,
    await client.servers.find(input.serverId, signal),
    input.serverId,
  )
  if (input.confirmName.trim() !== server.name) {
    throw new CairnError(
      'invalid_input',
      `Type the server's name, ${server.name}, to delete it. Nothing was deleted.`,
    )
  }
  return ctx.s.jobs.start(
    'delete',
    { workspaceId: null, title: `Delete the orphan server ${server.name}`, mutating: true },
    async (job) => {
      job.progress({ phase: 'deleting server' })
      const action = await client.servers.delete(server.id, job.signal)
      if (action) {
        job.progress({ phase: 'waiting for Hetzner' })
        await client.actions.waitFor([action], {
          signal: job.signal,
          pollIntervalMs: ctx.options.pollIntervalMs ?? 1_000,
        })
      }
      forget(ctx, server.id)
    },
  )
}

/** Drops a server from the last reconcile's orphans and tells the UI. */
export function forget(ctx: WorkspaceContext, serverId: number): void {
  const state = reconcileState(ctx)
  const before = state.orphans.length
  state.orphans = state.orphans.filter((o) => o.serverId !== serverId)
  if (state.orphans.length !== before) void publishList(ctx)
}
