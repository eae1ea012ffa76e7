import {
  workspaceNameSchema,
  type WorkspaceRecord,
  type WorkspaceView,
} from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import {
  listWorkspaces,
  MemoryIndex,
  openWorkspace,
  SnapshotReader,
  type Repository,
} from '../repo'
import { reconcileState, type DiscoveredWorkspace } from './reconcile-state'
import { measureStorage } from './storage-use'
import type { StorageUse, WorkspaceContext } from './workspace-context'

/** The tag the stop job (and any workspace backup) adds so another desktop can name it. */
export const NAME_TAG_PREFIX = 'name:'

export interface RepositoryScan {
  /** Storage used by every workspace in the repository (registered here or not). */
  storage: Map<string, StorageUse>
  /** Workspaces with restore points that `records` does not have. */
  discovered: DiscoveredWorkspace[]
}

/**
 * Walks the repository: storage used by each of its workspaces (one LIST of its prefix, see
 * storage-use.ts), and for those the registry does not have, their restore points (only the small
 * snapshot files are read and decrypted) so they can be named and imported. A workspace with no
 * restore point (its first backup was cut off, or it is being deleted) is not offered.
 */
export async function scanRepository(
  repo: Repository,
  records: readonly WorkspaceRecord[],
  signal?: AbortSignal,
): Promise<RepositoryScan> {
  const opts = signal ? { signal } : {}
  const known = new Set(records.map((r) => r.id))
  const storage = new Map<string, StorageUse>()
  const discovered: DiscoveredWorkspace[] = []
  for (const workspaceId of await listWorkspaces(repo, opts)) {
    const use = await measureStorage(repo.store, workspaceId, signal)
    storage.set(workspaceId, use)
    if (known.has(workspaceId) || use.restorePoints === 0) continue
    const found = await describeWorkspace(repo, workspaceId, signal)
    if (found && found.restorePointCount > 0) discovered.push(found)
  }
  return { storage, discovered }
}

/** A workspace's restore points as discovery shows them; null when it has no key (yet). */
export async function describeWorkspace(
  repo: Repository,
  workspaceId: string,
  signal?: AbortSignal,
): Promise<DiscoveredWorkspace | null> {
  const opts = signal ? { signal } : {}
  let workspace
  try {
    workspace = await openWorkspace(repo, workspaceId, opts)
  } catch (error) {
    if (error instanceof CairnError && error.code === 'not_found') return null
    throw error
  }
  const { snapshots } = await new SnapshotReader(workspace, new MemoryIndex(), opts).listSnapshots()
  const latest = snapshots.at(-1)
  return {
    workspaceId,
    name: latest ? nameFromTags(latest.snapshot.tags) : null,
    restorePointCount: snapshots.length,
    latest: latest
      ? {
          id: latest.id,
          time: latest.snapshot.time,
          trigger: latest.snapshot.trigger,
          paths: [...latest.snapshot.paths],
        }
      : null,
  }
}

/** `name:<name>` (the last one wins), if it is a valid workspace name. */
export function nameFromTags(tags: readonly string[]): string | null {
  for (const tag of [...tags].reverse()) {
    if (!tag.startsWith(NAME_TAG_PREFIX)) continue
    const parsed = workspaceNameSchema.safeParse(tag.slice(NAME_TAG_PREFIX.length))
    if (parsed.success) return parsed.data
  }
  return null
}

/**
 * Registers a workspace found in the repository as a stopped Hetzner workspace, so this desktop can
 * start it (a new server restored from its latest restore point). Location and server type stay
 * unset until the first start chooses them; its paths are those of the latest restore point.
 */
export async function importDiscovered(
  ctx: WorkspaceContext,
  input: { workspaceId: string; name: string },
  signal?: AbortSignal,
): Promise<WorkspaceView> {
  if (await ctx.registry.get(input.workspaceId)) {
    throw new CairnError('conflict', 'That workspace is already in your list.')
  }
  const state = reconcileState(ctx)
  let found = state.discovered.find((d) => d.workspaceId === input.workspaceId) ?? null
  if (!found) {
    // Not in the last reconcile's answer (e.g. found by another window): ask the repository.
    const { repo, close } = await ctx.backup.openRepository(signal)
    try {
      const ids = await listWorkspaces(repo, signal ? { signal } : {})
      if (ids.includes(input.workspaceId)) {
        found = await describeWorkspace(repo, input.workspaceId, signal)
        ctx.storage.set(input.workspaceId, await measureStorage(repo.store, input.workspaceId))
      }
    } finally {
      close()
    }
  }
  if (!found?.latest) {
    throw new CairnError(
      'not_found',
      'Your storage has no restore points for that workspace. Choose Reconcile to look again.',
    )
  }
  const latest = found.latest
  const paths = latest.paths.filter((p) => p.startsWith('/')).slice(0, 20)
  const record: WorkspaceRecord = {
    id: input.workspaceId,
    name: input.name,
    provider: 'hetzner',
    state: 'stopped',
    createdAt: new Date().toISOString(),
    paths: paths.length > 0 ? paths : ['/home/dev'],
    excludes: [],
    includes: [],
    includeCredentials: false,
    idleTimeoutMinutes: 30,
    location: null,
    serverType: null,
    image: null,
    server: null,
    ssh: null,
    lastBackup: { restorePointId: latest.id, time: latest.time, trigger: latest.trigger },
    secretNames: [],
    problem: null,
    pending: null,
  }
  const added = await ctx.registry.add(record)
  state.discovered = state.discovered.filter((d) => d.workspaceId !== input.workspaceId)
  return ctx.view(added)
}
