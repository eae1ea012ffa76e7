import type { RestorePoint } from '../../../../../shared/domain/backup'
import type { WorkspaceView } from '../../../../../shared/domain/workspace'

/** What is restored: a path of the restore point ('' = all of it) and whether it is a folder. */
export interface Selection {
  path: string
  type: 'file' | 'dir'
}

/** Why the workspace cannot take a restore now, or null when it can. */
export function workspaceRestoreBlocker(ws: WorkspaceView, busy: boolean): string | null {
  const reachable =
    ws.ssh !== null &&
    ws.pending === null &&
    (ws.provider === 'ssh' || (ws.server !== null && ws.state === 'running'))
  if (!reachable) {
    return ws.state === 'stopped'
      ? `${ws.name} is stopped: start it from this restore point instead, or restore into a new workspace or a folder.`
      : `${ws.name} is ${ws.state}: restore into it once it runs.`
  }
  if (busy) return `${ws.name} is busy with another job: wait for it to finish or cancel it.`
  return null
}

/** Where a path of the restore point lands in the workspace (its kept paths). */
export function workspaceDestination(ws: WorkspaceView, path: string): string {
  const [first] = ws.paths
  if (ws.paths.length === 1 && first) return path ? `${first.replace(/\/$/, '')}/${path}` : first
  if (!path) return ws.paths.join(', ')
  const top = path.split('/')[0]
  const kept = ws.paths.find((p) => p.slice(p.lastIndexOf('/') + 1) === top)
  if (!kept) return path
  return `${kept.slice(0, kept.lastIndexOf('/'))}/${path}`
}

/** Where a path of the restore point lands in a local folder (restore keeps the path below it). */
export function folderDestination(folder: string, path: string): string {
  const base = folder.replace(/\/+$/, '') || '/'
  return path ? `${base === '/' ? '' : base}/${path}` : base
}

/** Checks a folder path typed by the user; null when usable. */
export function folderPathProblem(path: string): string | null {
  const trimmed = path.trim()
  if (!trimmed) return 'Enter the folder to restore into, like /home/me/restored.'
  if (!trimmed.startsWith('/'))
    return 'Enter a full path that starts with /, like /home/me/restored.'
  if (trimmed.includes('\0')) return 'A folder path cannot contain a NUL character.'
  return null
}

/** A name suggestion for a fork: `<name>-<yyyymmdd>` within 40 characters. */
export function forkName(ws: WorkspaceView, point: RestorePoint): string {
  const day = point.time.slice(0, 10).replaceAll('-', '')
  return `${ws.name.slice(0, 40 - day.length - 1)}-${day}`
}
