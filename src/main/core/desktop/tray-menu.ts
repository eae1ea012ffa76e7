import type { Job } from '../../../shared/domain/jobs'
import type { WorkspaceView } from '../../../shared/domain/workspace'
import type { TrayState } from './tray-state'

/**
 * The tray icon and menu as a pure function of the tray state: the Electron shell only turns the
 * model into a `Menu` and hands clicked actions to tray-actions.ts. docs/desktop-shell.md.
 */

export type TrayIcon = 'idle' | 'working' | 'problem'

/** What a menu item does: descriptors, not callbacks, so the model is plain data. */
export type TrayAction =
  | { kind: 'backup'; workspaceId: string }
  | { kind: 'stop'; workspaceId: string }
  | { kind: 'start'; workspaceId: string }
  | { kind: 'backup-all' }
  | { kind: 'pause-idle'; minutes: number }
  | { kind: 'resume-idle' }
  /**
   * Shows the window: on the workspace's page when `workspaceId` is set, on the list when `page`
   * says so (orphan servers are decided there), where the user left it otherwise.
   */
  | { kind: 'open'; workspaceId: string | null; page?: 'workspaces' }
  | { kind: 'quit' }

export type TrayItem =
  | { type: 'separator' }
  | {
      type: 'item'
      label: string
      enabled: boolean
      action: TrayAction | null
      submenu?: TrayItem[]
    }

export type TrayMenuItem = Extract<TrayItem, { type: 'item' }>

export interface TrayModel {
  icon: TrayIcon
  tooltip: string
  items: TrayItem[]
}

export interface TrayProblem {
  message: string
  workspaceId: string | null
}

export const PAUSE_MINUTES = 60
const MAX_PROBLEMS_IN_MENU = 3

const transitional = new Set<WorkspaceView['state']>([
  'creating',
  'starting',
  'stopping',
  'deleting',
])

const jobVerb: Record<Job['kind'], string> = {
  backup: 'backing up',
  restore: 'restoring',
  verify: 'checking a restore point',
  check: 'checking',
  prune: 'pruning',
  stop: 'stopping',
  start: 'starting',
  create: 'creating',
  delete: 'deleting',
  'storage-test': 'testing storage',
}

const stateLabel: Record<WorkspaceView['state'], string> = {
  creating: 'creating',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  starting: 'starting',
  deleting: 'deleting',
  error: 'needs attention',
  missing: 'server missing',
}

export function trayModel(state: TrayState, now: number): TrayModel {
  const workspaces = state.list?.workspaces ?? []
  const orphans = state.list?.orphans ?? []
  const jobs = Object.values(state.active).filter((j): j is Job => j !== undefined)
  const jobOf = (workspaceId: string) => jobs.find((j) => j.workspaceId === workspaceId)
  const problems = trayProblems(state)
  const working = jobs.length > 0 || workspaces.some((w) => transitional.has(w.state))
  const icon: TrayIcon = problems.length > 0 ? 'problem' : working ? 'working' : 'idle'

  const items: TrayItem[] = []
  for (const problem of problems.slice(0, MAX_PROBLEMS_IN_MENU)) {
    items.push(item(`⚠ ${problem.message}`, { kind: 'open', workspaceId: problem.workspaceId }))
  }
  if (problems.length > MAX_PROBLEMS_IN_MENU) {
    const more = problems.length - MAX_PROBLEMS_IN_MENU
    items.push(
      item(`⚠ ${more} more problem${more === 1 ? '' : 's'}…`, { kind: 'open', workspaceId: null }),
    )
  }
  if (problems.length > 0) items.push({ type: 'separator' })

  if (state.list === null) items.push(disabled('Loading workspaces…'))
  else if (workspaces.length === 0 && orphans.length === 0)
    items.push(disabled('No workspaces yet'))
  for (const workspace of workspaces) items.push(workspaceItem(workspace, jobOf(workspace.id)))
  for (const orphan of orphans) {
    items.push({
      ...item(`${orphan.name} — orphan server`, null),
      submenu: [item('Decide in Cairn…', { kind: 'open', workspaceId: null, page: 'workspaces' })],
    })
  }

  items.push({ type: 'separator' })
  const backupable = workspaces.filter((w) => w.state === 'running' && !jobOf(w.id))
  items.push(item('Back up all running', { kind: 'backup-all' }, backupable.length > 0))
  const pausedLeft = state.pausedUntil ? Date.parse(state.pausedUntil) - now : 0
  items.push(
    pausedLeft > 0
      ? item(`Resume auto-stop (paused, ${minutesLeft(pausedLeft)} left)`, { kind: 'resume-idle' })
      : item('Pause auto-stop for 1 hour', { kind: 'pause-idle', minutes: PAUSE_MINUTES }),
  )
  items.push({ type: 'separator' })
  items.push(item('Open Cairn', { kind: 'open', workspaceId: null }))
  items.push(item('Quit Cairn', { kind: 'quit' }))

  return { icon, tooltip: tooltip(workspaces, jobs, problems, pausedLeft > 0), items }
}

/** Everything that turns the icon into the problem icon, most urgent first. */
export function trayProblems(state: TrayState): TrayProblem[] {
  const problems: TrayProblem[] = []
  if (state.keychain && !state.keychain.available) {
    problems.push({ message: 'The keychain is not available', workspaceId: null })
  }
  for (const workspace of state.list?.workspaces ?? []) {
    if (workspace.state === 'error' || workspace.state === 'missing') {
      problems.push({
        message: `${workspace.name}: ${stateLabel[workspace.state]}`,
        workspaceId: workspace.id,
      })
      continue
    }
    const last = state.lastFinished[workspace.id]
    if (last?.state === 'failed') {
      problems.push({ message: `${last.title} failed`, workspaceId: workspace.id })
    }
  }
  const orphans = state.list?.orphans.length ?? 0
  if (orphans > 0) {
    problems.push({
      message: `${orphans} server${orphans === 1 ? '' : 's'} Cairn does not know`,
      workspaceId: null,
    })
  }
  if (state.list?.reconcileProblem) {
    problems.push({ message: state.list.reconcileProblem, workspaceId: null })
  }
  return problems
}

function workspaceItem(workspace: WorkspaceView, job: Job | undefined): TrayItem {
  const busy = job !== undefined || transitional.has(workspace.state)
  const label = job ? jobVerb[job.kind] : stateLabel[workspace.state]
  const submenu: TrayItem[] = []
  if (workspace.state === 'running') {
    submenu.push(item('Back up now', { kind: 'backup', workspaceId: workspace.id }, !busy))
  }
  // An adopted SSH host is never stopped or started by Cairn (docs/workspaces.md).
  if (workspace.provider === 'hetzner') {
    if (workspace.state === 'running' || workspace.state === 'stopping') {
      submenu.push(item('Stop', { kind: 'stop', workspaceId: workspace.id }, !busy))
    } else if (workspace.state === 'stopped' || workspace.state === 'starting') {
      submenu.push(item('Start', { kind: 'start', workspaceId: workspace.id }, !busy))
    }
  }
  if (submenu.length > 0) submenu.push({ type: 'separator' })
  submenu.push(item('Show in Cairn', { kind: 'open', workspaceId: workspace.id }))
  return { ...item(`${workspace.name} — ${label}`, null), submenu }
}

function tooltip(
  workspaces: WorkspaceView[],
  jobs: Job[],
  problems: TrayProblem[],
  paused: boolean,
): string {
  const parts: string[] = []
  const running = workspaces.filter((w) => w.state === 'running').length
  parts.push(
    workspaces.length === 0 ? 'no workspaces' : `${running} of ${workspaces.length} running`,
  )
  if (jobs.length > 0) parts.push(`${jobs.length} job${jobs.length === 1 ? '' : 's'} working`)
  if (problems.length > 0)
    parts.push(`${problems.length} problem${problems.length === 1 ? '' : 's'}`)
  if (paused) parts.push('auto-stop paused')
  return `Cairn — ${parts.join(', ')}`
}

function minutesLeft(ms: number): string {
  const minutes = Math.ceil(ms / 60_000)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`
}

function item(label: string, action: TrayAction | null, enabled = true): TrayMenuItem {
  return { type: 'item', label, enabled, action }
}

function disabled(label: string): TrayItem {
  return { type: 'item', label, enabled: false, action: null }
}
