import type { MethodInput } from '../../../shared/contract'
import { workspaceNameSchema } from '../../../shared/domain/workspace'

/** The create form as typed: text, so half-typed numbers and paths can be shown and fixed. */
export interface WorkspaceDraft {
  name: string
  location: string
  serverType: string
  idleEnabled: boolean
  idleMinutes: string
  /** One absolute path per line. */
  paths: string
  /** One exclude rule per line (gitignore-like, as backups use them). */
  excludes: string
  /** Start empty, or from a restore point (of this or another workspace: a fork). */
  source: 'empty' | 'restorePoint'
  fromWorkspaceId: string
  /** 'latest' or a restore point id. */
  fromRestorePoint: string
}

export type WorkspaceField =
  'name' | 'location' | 'serverType' | 'idleTimeoutMinutes' | 'paths' | 'excludes' | 'from'
export type WorkspaceFieldErrors = Partial<Record<WorkspaceField, string>>

export const DEFAULT_IDLE_MINUTES = 30
export const MIN_IDLE_MINUTES = 5
export const MAX_IDLE_MINUTES = 7 * 24 * 60

/** `idleDefault`: the user's default auto-stop (Settings > General), null for off. */
export function emptyWorkspaceDraft(
  location = '',
  serverType = '',
  idleDefault: number | null = DEFAULT_IDLE_MINUTES,
): WorkspaceDraft {
  return {
    name: '',
    location,
    serverType,
    ...idleFieldsOf(idleDefault),
    paths: '/home/dev',
    excludes: 'node_modules\n.cache',
    source: 'empty',
    fromWorkspaceId: '',
    fromRestorePoint: 'latest',
  }
}

/** The draft's auto-stop fields for a timeout in minutes (null: off, the field keeps 30). */
export function idleFieldsOf(
  minutes: number | null,
): Pick<WorkspaceDraft, 'idleEnabled' | 'idleMinutes'> {
  return {
    idleEnabled: minutes !== null,
    idleMinutes: String(minutes ?? DEFAULT_IDLE_MINUTES),
  }
}

function pathList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
}

/** The same rules as the contract (workspaceCreateInputSchema), worded for the form. */
export function validateWorkspaceDraft(draft: WorkspaceDraft): WorkspaceFieldErrors {
  const errors: WorkspaceFieldErrors = {}
  const name = workspaceNameSchema.safeParse(draft.name)
  if (!name.success) {
    const message = name.error.issues[0]?.message ?? 'Enter a valid name.'
    errors.name = `${message[0]?.toUpperCase() ?? ''}${message.slice(1)}.`
  }
  if (!draft.location) errors.location = 'Choose a location.'
  if (!draft.serverType) errors.serverType = 'Choose a server type offered in this location.'
  if (draft.idleEnabled) {
    const text = draft.idleMinutes.trim()
    const minutes = Number(text)
    if (!/^\d+$/.test(text) || minutes < MIN_IDLE_MINUTES || minutes > MAX_IDLE_MINUTES) {
      errors.idleTimeoutMinutes = `Enter whole minutes from ${MIN_IDLE_MINUTES} to ${MAX_IDLE_MINUTES} (a week), or turn auto-stop off.`
    }
  }
  const paths = pathList(draft.paths)
  if (paths.length === 0) errors.paths = 'Keep at least one folder, like /home/dev.'
  else if (paths.length > 20) errors.paths = 'Keep at most 20 folders.'
  else {
    const bad = paths.find((p) => !p.startsWith('/') || p.includes('\0'))
    if (bad) errors.paths = `"${bad}" is not an absolute path; paths start with /, like /home/dev.`
  }
  const excludes = pathList(draft.excludes)
  if (excludes.length > 1000) errors.excludes = 'Keep at most 1000 exclude rules.'
  else {
    const long = excludes.find((r) => r.length > 1000 || r.includes('\0'))
    if (long) errors.excludes = 'An exclude rule is at most 1000 characters, one rule per line.'
  }
  if (draft.source === 'restorePoint') {
    if (!draft.fromWorkspaceId)
      errors.from = 'Choose the workspace whose restore point to start from.'
    else if (!/^(latest|[0-9a-f]{4,64})$/.test(draft.fromRestorePoint))
      errors.from = 'Choose a restore point from the list.'
  }
  return errors
}

export function hasWorkspaceErrors(errors: WorkspaceFieldErrors): boolean {
  return Object.values(errors).some(Boolean)
}

export function toCreateInput(draft: WorkspaceDraft): MethodInput<'workspaces.create'> {
  return {
    name: draft.name.trim(),
    location: draft.location,
    serverType: draft.serverType,
    idleTimeoutMinutes: draft.idleEnabled ? Number(draft.idleMinutes.trim()) : null,
    paths: pathList(draft.paths),
    excludes: pathList(draft.excludes),
    ...(draft.source === 'restorePoint'
      ? { from: { workspaceId: draft.fromWorkspaceId, restorePoint: draft.fromRestorePoint } }
      : {}),
  }
}

/** Maps the core's `invalid_input` paths ("paths.0", "name") back to the form's fields. */
export function workspaceFieldOf(path: string): WorkspaceField | null {
  const head = path.split('.')[0]
  switch (head) {
    case 'name':
    case 'location':
    case 'serverType':
    case 'idleTimeoutMinutes':
    case 'paths':
    case 'excludes':
      return head
    case 'from':
      return 'from'
    default:
      return null
  }
}
