import type { WorkspaceCheck } from '../../../shared/domain/check'
import { listWorkspaces, openWorkspace, type Repository } from '../repo'
import { checkWorkspaceRepository, type CheckOptions } from './check-workspace-repository'

export interface RepositoryCheck {
  ok: boolean
  readData: number
  workspaces: WorkspaceCheck[]
  durationMs: number
}

/**
 * Checks the given workspace, or every workspace of the repository, one after the other (see
 * checkWorkspaceRepository). `ok` is false when any damage was found; orphan packs alone are not
 * damage.
 */
export async function checkRepository(
  repo: Repository,
  options: CheckOptions & {
    workspaceId?: string
    onWorkspace?: (workspaceId: string, index: number, count: number) => void
    /** Runs each workspace's check (the API runs it in a job scope naming the workspace). */
    around?: <T>(workspaceId: string, check: () => Promise<T>) => Promise<T>
  } = {},
): Promise<RepositoryCheck> {
  const started = Date.now()
  const signal = options.signal
  const ids =
    options.workspaceId !== undefined
      ? [options.workspaceId]
      : await listWorkspaces(repo, signal ? { signal } : {})
  const workspaces: WorkspaceCheck[] = []
  for (const [i, id] of ids.entries()) {
    options.onWorkspace?.(id, i, ids.length)
    const check = async () => {
      const workspace = await openWorkspace(repo, id, signal ? { signal } : {})
      return checkWorkspaceRepository(workspace, options)
    }
    workspaces.push(await (options.around ? options.around(id, check) : check()))
  }
  return {
    ok: workspaces.every((w) => w.ok),
    readData: Math.min(1, Math.max(0, options.readData ?? 0)),
    workspaces,
    durationMs: Date.now() - started,
  }
}
