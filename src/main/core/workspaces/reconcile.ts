import type { WorkspaceList, WorkspaceRecord } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import { CAIRN_SERVERS_SELECTOR } from '../provision/labels'
import { scanRepository } from './discover'
import { interactiveHetzner } from './interactive-hetzner'
import { listView, publishList } from './list-view'
import { busyWorkspaces, findOrphans } from './orphans'
import { reconcileState } from './reconcile-state'
import { serverPrices } from './server-prices'
import { syncSshConfig } from './ssh-config-sync'
import type { WorkspaceContext } from './workspace-context'

/** States in which a Hetzner workspace should have a server. */
const HAS_SERVER: ReadonlySet<WorkspaceRecord['state']> = new Set(['running', 'stopping', 'error'])

/**
 * Compares the registry with Hetzner and the repository (rules in docs/workspaces.md), records
 * what it found, tells the UI (workspaces.reconciled) and returns the list. What it cannot reach
 * (no token, no storage, an outage) is said in `reconcileProblem`; it never throws for that.
 * A request while one runs waits for it and then for one more run (shared by every request that
 * came meanwhile), so a token or storage saved a moment ago is always taken into account.
 */
export async function reconcile(ctx: WorkspaceContext): Promise<WorkspaceList> {
  const state = reconcileState(ctx)
  if (state.again) {
    await state.again
  } else if (state.running) {
    state.again = state.running
      .catch(() => {})
      .then(() => {
        state.again = null
        return start(ctx)
      })
    await state.again
  } else {
    await start(ctx)
  }
  return listView(ctx)
}

function start(ctx: WorkspaceContext): Promise<void> {
  const state = reconcileState(ctx)
  // Not tied to one caller's signal: others may be waiting for it.
  const running = run(ctx).finally(() => {
    if (state.running === running) state.running = null
  })
  state.running = running
  return running
}

async function run(ctx: WorkspaceContext, signal?: AbortSignal): Promise<void> {
  const state = reconcileState(ctx)
  const problems: string[] = []
  const hetzner = await reconcileHetzner(ctx, signal).catch((error: unknown) => {
    if (!(error instanceof CairnError)) ctx.s.logger.error('reconciling with Hetzner failed', error)
    problems.push(`Hetzner: ${describe(error)}`)
    return null
  })
  if (hetzner === 'no-token')
    problems.push('Hetzner: no API token yet, so servers were not checked.')
  const repository = await reconcileRepository(ctx, signal).catch((error: unknown) => {
    if (!(error instanceof CairnError)) ctx.s.logger.error('reconciling with storage failed', error)
    problems.push(`Storage: ${describe(error)}`)
    return null
  })
  if (repository === 'no-storage') {
    problems.push('Storage: not set up yet, so restore points were not looked for.')
  }
  state.problem = problems.length > 0 ? problems.join(' ') : null
  await ctx.registry.setReconciledAt(new Date().toISOString())
  await publishList(ctx)
}

async function reconcileHetzner(
  ctx: WorkspaceContext,
  signal?: AbortSignal,
): Promise<'done' | 'no-token'> {
  const client = await interactiveHetzner(ctx)
  if (!client) {
    reconcileState(ctx).orphans = []
    return 'no-token'
  }
  const servers = await client.servers.list({ labelSelector: CAIRN_SERVERS_SELECTOR }, signal)
  const prices = await serverPrices(client, signal)
  const present = new Set(servers.map((s) => s.id))
  let marked = false
  for (const record of await ctx.registry.list()) {
    if (!mayBeMissing(record, busyWorkspaces(ctx)) || present.has(record.server!.id)) continue
    // Not labelled any more is not gone: ask for it by id before saying so.
    if (await client.servers.find(record.server!.id, signal)) continue
    if (await markMissing(ctx, record.id, record.server!.id)) marked = true
  }
  // Read the records again: an operation may have recorded its server meanwhile.
  reconcileState(ctx).orphans = findOrphans(
    servers,
    await ctx.registry.list(),
    busyWorkspaces(ctx),
    prices,
  )
  if (marked) await syncSshConfig(ctx).catch((e) => ctx.s.logger.error('ssh config sync failed', e))
  return 'done'
}

function mayBeMissing(record: WorkspaceRecord, busy: ReadonlySet<string>): boolean {
  return (
    record.provider === 'hetzner' &&
    record.server !== null &&
    record.pending === null &&
    !busy.has(record.id) &&
    HAS_SERVER.has(record.state)
  )
}

/** Marks the workspace missing, unless it changed since it was read (then it is left alone). */
async function markMissing(ctx: WorkspaceContext, id: string, serverId: number): Promise<boolean> {
  let changed = false
  await ctx.registry.update(id, (r) => {
    if (!mayBeMissing(r, busyWorkspaces(ctx)) || r.server?.id !== serverId) return r
    changed = true
    r.state = 'missing'
    r.problem = {
      code: 'server_missing',
      message:
        `Its server ${r.server.name} is gone from Hetzner (deleted outside Cairn?). Its files are ` +
        'in its restore points: start it to get a new server, or delete the workspace.',
      at: new Date().toISOString(),
    }
    r.location = r.server.location
    r.serverType = r.server.serverType
    r.image = r.server.image
    r.server = null
    r.ssh = null
    return r
  })
  if (changed) await ctx.idle.unwatch(id).catch(() => {})
  return changed
}

async function reconcileRepository(
  ctx: WorkspaceContext,
  signal?: AbortSignal,
): Promise<'done' | 'no-storage'> {
  const state = reconcileState(ctx)
  if (!(await ctx.s.settings.get()).storage) {
    state.discovered = []
    return 'no-storage'
  }
  const { repo, close } = await ctx.backup.openRepository(signal)
  try {
    const scan = await scanRepository(repo, await ctx.registry.list(), signal)
    const records = await ctx.registry.list()
    // A workspace added while the repository was read is not discovered any more.
    const known = new Set(records.map((r) => r.id))
    for (const id of ctx.storage.keys()) {
      if (!known.has(id) && !scan.storage.has(id)) ctx.storage.delete(id)
    }
    for (const r of records)
      ctx.storage.set(r.id, scan.storage.get(r.id) ?? { bytes: 0, restorePoints: 0 })
    for (const [id, use] of scan.storage) ctx.storage.set(id, use)
    state.discovered = scan.discovered.filter((d) => !known.has(d.workspaceId))
  } finally {
    close()
  }
  return 'done'
}

function describe(error: unknown): string {
  if (error instanceof CairnError) return error.message
  return 'an unexpected problem (details in the log).'
}
