import { homedir } from 'node:os'
import path from 'node:path'
import { FolderIndexCache, type IndexCache, type Workspace } from '../main/core/repo'

/**
 * Where the CLI keeps its local cache (index files, see FolderIndexCache): `CAIRN_CACHE_DIR`,
 * else the platform's cache folder (`$XDG_CACHE_HOME/cairn`, `~/.cache/cairn`,
 * `~/Library/Caches/cairn`, `%LOCALAPPDATA%\cairn\cache`). `CAIRN_CACHE_DIR=off` turns it off.
 */
export function cliCacheRoot(env: NodeJS.ProcessEnv): string | null {
  const explicit = env.CAIRN_CACHE_DIR
  if (explicit !== undefined && explicit !== '') return explicit === 'off' ? null : explicit
  if (process.platform === 'win32' && env.LOCALAPPDATA)
    return path.join(env.LOCALAPPDATA, 'cairn', 'cache')
  if (process.platform === 'darwin') return path.join(homedir(), 'Library', 'Caches', 'cairn')
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'cairn')
  return path.join(homedir(), '.cache', 'cairn')
}

/** The index cache of one workspace, or undefined when caching is off. */
export function cliIndexCache(
  env: NodeJS.ProcessEnv,
  workspace: Workspace,
): IndexCache | undefined {
  const root = cliCacheRoot(env)
  return root ? new FolderIndexCache(root, workspace.repo.id, workspace.id) : undefined
}

export function indexCacheOption(cache: IndexCache | undefined): { indexCache?: IndexCache } {
  return cache ? { indexCache: cache } : {}
}
