import { posix } from 'node:path'
import { runRestore } from '../backup'
import { rootEntryNames } from '../backup/view'
import type { JobProgress } from '../jobs/job-runner'
import { MemoryIndex, openWorkspace, SnapshotReader } from '../repo'
import type { SshConnection } from '../ssh/connection'
import { shScript } from '../ssh/shell-quote'
import { CairnError } from '../../../shared/errors'
import type { WorkspaceContext } from './workspace-context'

export interface RestoreIntoServerRequest {
  /** Whose restore points: this workspace, or another one (a fork). */
  sourceWorkspaceId: string
  /** An id, prefix or 'latest'. */
  restorePoint: string
  /** The workspace's kept paths, where the files go. */
  paths: readonly string[]
  /**
   * Only these paths of the restore point (as browse shows them, or absolute as on the source);
   * default everything. With several kept paths, each goes to the kept path it names.
   */
  include?: readonly string[]
  /** Logged in as dev on the new server. */
  connection: SshConnection
  /** The installation's public key line, kept in dev's authorized_keys whatever is restored. */
  loginKey: string
  signal: AbortSignal
  progress: (update: JobProgress) => void
}

/**
 * Restores a restore point into a fresh server, over the files cloud-init put there (`.bashrc`,
 * `.profile`, `.ssh/authorized_keys`): files of the restore point replace them, files only the new
 * server has stay. One kept path: the restore point's contents go into it. Several: each path's
 * folder goes back to where it was. Afterwards the installation key is put back into dev's
 * authorized_keys if the restored file lacks it, so Cairn (and `ssh cairn-<name>`) still logs in.
 * See docs/workspace-lifecycle.md.
 */
export async function restoreIntoServer(
  ctx: WorkspaceContext,
  request: RestoreIntoServerRequest,
): Promise<{ restorePointId: string }> {
  const { signal } = request
  const { repo, close } = await ctx.backup.openRepository(signal)
  let restorePointId = ''
  try {
    const workspace = await openWorkspace(repo, request.sourceWorkspaceId, { signal })
    const single = request.paths.length === 1
    const names = rootEntryNames(request.paths).map((n) => n.toString('utf8'))
    for (const [index, path] of request.paths.entries()) {
      const include = includeFor(request.include ?? [], single, path, names[index]!)
      if (include === null) continue
      const result = await runRestore({
        workspace,
        indexCache: ctx.backup.indexCache(workspace),
        snapshotId: restorePointId || request.restorePoint,
        ...(include.length > 0 ? { include } : {}),
        target: {
          kind: 'ssh',
          connection: request.connection,
          dir: single ? path : posix.dirname(path),
        },
        overwrite: true,
        signal,
        onProgress: (p) =>
          request.progress({
            phase: 'restoring files',
            filesDone: p.filesDone,
            filesTotal: p.filesTotal,
            bytesDone: p.bytesDone,
            bytesTotal: p.bytesTotal,
            currentPath: p.currentPath,
          }),
      })
      restorePointId = result.snapshotId
      if (result.refused.length > 0) {
        ctx.s.logger.warn('restore into a new server refused entries', {
          workspace: request.sourceWorkspaceId,
          refused: result.refused.length,
        })
      }
    }
  } finally {
    close()
  }
  await keepLoginKey(request.connection, request.loginKey, signal)
  return { restorePointId }
}

/**
 * What to restore into kept path `path` (top name `name` in a restore point of several paths):
 * [] for everything, null for nothing (the user's include names only other paths).
 */
function includeFor(
  include: readonly string[],
  single: boolean,
  path: string,
  name: string,
): string[] | null {
  if (single) return [...include]
  if (include.length === 0) return [path]
  const mine = include.filter((p) => {
    const relative = p.replace(/^\/+/, '')
    return (
      p === path ||
      p.startsWith(`${path}/`) ||
      (!p.startsWith('/') && (relative === name || relative.startsWith(`${name}/`)))
    )
  })
  return mine.length > 0 ? mine : null
}

/**
 * Makes sure dev's authorized_keys holds the installation key, with modes sshd accepts. The
 * restored file (from the old server) normally has it already; a restore point made with another
 * installation's key, or without credentials, may not.
 */
export async function keepLoginKey(
  connection: SshConnection,
  publicKey: string,
  signal: AbortSignal,
): Promise<void> {
  const script =
    'set -e; umask 077; cd; mkdir -p .ssh; chmod 700 .ssh; touch .ssh/authorized_keys; ' +
    'grep -qxF -- "$1" .ssh/authorized_keys || printf "%s\\n" "$1" >> .ssh/authorized_keys; ' +
    'chmod 600 .ssh/authorized_keys'
  const result = await connection.run(shScript(script, [publicKey.trim()]), {
    signal,
    maxOutputBytes: 64 * 1024,
  })
  if (result.code !== 0) {
    throw new CairnError(
      'remote_error',
      `Cairn could not keep its login key in ~/.ssh/authorized_keys on ${connection.label}.`,
    )
  }
}

/**
 * The full id of a restore point of `workspaceId` (an id, prefix or 'latest'), checked before a
 * server is bought for it; not_found when the workspace or the restore point does not exist.
 */
export async function findRestorePoint(
  ctx: WorkspaceContext,
  workspaceId: string,
  ref: string,
  signal?: AbortSignal,
): Promise<string> {
  const { repo, close } = await ctx.backup.openRepository(signal)
  try {
    const workspace = await openWorkspace(repo, workspaceId, signal ? { signal } : {})
    const reader = new SnapshotReader(workspace, new MemoryIndex(), signal ? { signal } : {})
    return (await reader.loadSnapshot(ref)).id
  } finally {
    close()
  }
}
