import type { EventName, EventPayload } from '../contract'
import type { Job, JobKind } from '../domain/jobs'
import type { KeychainStatus } from '../domain/keychain'
import type { NotificationLevel } from '../domain/settings'
import type { WorkspaceView } from '../domain/workspace'

/**
 * Which local notifications Cairn shows, as one pure function of (state, event, level, now). The
 * Electron shell feeds it the core's events and shows `Notification`s; the browser renderer feeds
 * it the same events and shows toasts. Nothing here knows how a notification is shown.
 * docs/desktop-shell.md describes the policy.
 */

export type NotificationSeverity = 'info' | 'warning' | 'error'

/** What a notification's button does; the shell maps it to a contract call. */
export type NotificationActionKind = { kind: 'postpone-idle'; workspaceId: string; minutes: number }

export interface NotificationAction {
  label: string
  action: NotificationActionKind
}

export interface DesktopNotification {
  /** A notification with the id of one already shown replaces it (coalesced bursts). */
  id: string
  severity: NotificationSeverity
  title: string
  body: string
  /** The workspace a click opens; null opens the app. */
  workspaceId: string | null
  actions: NotificationAction[]
}

/** The core's events, plus the keychain status the shell reads once at start (no event exists). */
export type PolicyInput =
  | { [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName]
  | { event: 'keychain.status'; payload: KeychainStatus }

interface Burst {
  id: string
  lastAt: number
  names: string[]
  /** Sum over the burst, e.g. EUR per day saved by the stopped workspaces. */
  eurPerDay: number | null
}

export interface PolicyState {
  /** Names and the last known hourly price, so a stopped workspace can say what it saves. */
  workspaces: Record<string, { name: string; hourlyEur: number | null } | undefined>
  /** Open bursts by group ("backup:succeeded"). */
  bursts: Record<string, Burst | undefined>
  /** Finished jobs already handled (a finished job can be published again after a reconnect). */
  seenJobs: string[]
  /** Workspaces with an idle warning on screen, so it goes once they are busy again. */
  warned: string[]
  keychainUnavailable: boolean
}

export interface PolicyResult {
  state: PolicyState
  show: DesktopNotification[]
  /** Ids of notifications to take away (a warning that no longer holds). */
  dismiss: string[]
}

/** Events of one group closer than this to the previous one join its notification. */
export const COALESCE_WINDOW_MS = 8_000
/** How long "Keep running" postpones an auto-stop. */
export const KEEP_RUNNING_MINUTES = 60
const SEEN_JOBS_LIMIT = 500

export function initialPolicyState(): PolicyState {
  return { workspaces: {}, bursts: {}, seenJobs: [], warned: [], keychainUnavailable: false }
}

const shownAt: Record<NotificationLevel, NotificationSeverity[]> = {
  all: ['info', 'warning', 'error'],
  problems: ['warning', 'error'],
  off: [],
}

export function isShownAt(level: NotificationLevel, severity: NotificationSeverity): boolean {
  return shownAt[level].includes(severity)
}

export function notificationPolicy(
  state: PolicyState,
  input: PolicyInput,
  level: NotificationLevel,
  now: number,
): PolicyResult {
  // A copy, so the steps below may reassign its fields without touching the caller's state.
  const next = { ...remember(state, input) }
  const candidates = decide(next, input, now)
  const result: PolicyResult = { state: next, show: [], dismiss: candidates.dismiss }
  for (const candidate of candidates.show) {
    if (!isShownAt(level, candidate.severity)) continue
    result.show.push(candidate.notification(result.state, now))
    result.state = candidate.update?.(result.state, now) ?? result.state
  }
  return result
}

interface Candidate {
  severity: NotificationSeverity
  notification(state: PolicyState, now: number): DesktopNotification
  update?(state: PolicyState, now: number): PolicyState
}

/** What every event teaches the policy, shown or not. */
function remember(state: PolicyState, input: PolicyInput): PolicyState {
  switch (input.event) {
    case 'workspaces.reconciled': {
      const workspaces = { ...state.workspaces }
      for (const view of input.payload.workspaces) workspaces[view.id] = known(state, view)
      return { ...state, workspaces }
    }
    case 'workspaces.changed': {
      const workspaces = { ...state.workspaces }
      if (input.payload.workspace)
        workspaces[input.payload.id] = known(state, input.payload.workspace)
      else delete workspaces[input.payload.id]
      return { ...state, workspaces }
    }
    default:
      return state
  }
}

function known(
  state: PolicyState,
  view: WorkspaceView,
): { name: string; hourlyEur: number | null } {
  // A stopped workspace has no cost any more: keep the price it had while it ran.
  const hourlyEur = view.cost?.hourlyEur ?? state.workspaces[view.id]?.hourlyEur ?? null
  return { name: view.name, hourlyEur }
}

function decide(state: PolicyState, input: PolicyInput, now: number) {
  const show: Candidate[] = []
  const dismiss: string[] = []
  switch (input.event) {
    case 'job.updated':
      show.push(...fromJob(state, input.payload))
      break
    case 'idle.warning': {
      const { workspaceId, stopAt, reason } = input.payload
      const name = nameOf(state, workspaceId)
      const minutes = Math.max(1, Math.round((Date.parse(stopAt) - now) / 60_000))
      show.push({
        severity: 'warning',
        notification: () => ({
          id: warningId(workspaceId),
          severity: 'warning',
          title: `${name} stops in ${minutes} minute${minutes === 1 ? '' : 's'}`,
          body: `${reason} Cairn will back it up and delete the server.`,
          workspaceId,
          actions: [
            {
              label: 'Keep running',
              action: { kind: 'postpone-idle', workspaceId, minutes: KEEP_RUNNING_MINUTES },
            },
          ],
        }),
        update: (s) => ({
          ...s,
          warned: [...s.warned.filter((w) => w !== workspaceId), workspaceId],
        }),
      })
      break
    }
    case 'idle.state':
      if (input.payload.state !== 'warn' && state.warned.includes(input.payload.workspaceId)) {
        dismiss.push(warningId(input.payload.workspaceId))
        state.warned = state.warned.filter((w) => w !== input.payload.workspaceId)
      }
      break
    case 'keychain.status':
      if (!input.payload.available && !state.keychainUnavailable)
        show.push(keychainProblem(input.payload.message))
      state.keychainUnavailable = !input.payload.available
      break
    default:
      break
  }
  return { show, dismiss }
}

function warningId(workspaceId: string): string {
  return `idle-warning:${workspaceId}`
}

function nameOf(state: PolicyState, workspaceId: string | null): string {
  return (workspaceId && state.workspaces[workspaceId]?.name) || 'A workspace'
}

function keychainProblem(message: string | undefined): Candidate {
  return {
    severity: 'error',
    notification: () => ({
      id: 'keychain',
      severity: 'error',
      title: 'The keychain is not available',
      body:
        message ??
        'Cairn keeps its keys in the system keychain. Unlock or install one, then open Cairn.',
      workspaceId: null,
      actions: [],
    }),
  }
}

/** Finished jobs worth telling about when they succeed, with their wording. */
const successes: Partial<
  Record<JobKind, { one: (name: string) => string; many: (n: number) => string }>
> = {
  backup: { one: () => 'Backup finished', many: (n) => `${n} backups finished` },
  restore: { one: () => 'Restore finished', many: (n) => `${n} restores finished` },
  stop: { one: (name) => `${name} stopped`, many: (n) => `${n} workspaces stopped` },
  start: { one: (name) => `${name} is running`, many: (n) => `${n} workspaces are running` },
  create: { one: (name) => `${name} is ready`, many: (n) => `${n} workspaces are ready` },
  verify: { one: () => 'Restore drill passed', many: (n) => `${n} restore drills passed` },
  check: { one: () => 'Repository check passed', many: (n) => `${n} repository checks passed` },
}

const failureNoun: Record<JobKind, [one: string, many: string]> = {
  backup: ['Backup', 'backups'],
  restore: ['Restore', 'restores'],
  stop: ['Stop', 'stops'],
  start: ['Start', 'starts'],
  create: ['Creating a workspace', 'workspace creations'],
  delete: ['Deleting a workspace', 'deletions'],
  verify: ['Restore drill', 'restore drills'],
  check: ['Repository check', 'repository checks'],
  prune: ['Prune', 'prunes'],
  'storage-test': ['Storage test', 'storage tests'],
}

function fromJob(state: PolicyState, job: Job): Candidate[] {
  if (job.state !== 'succeeded' && job.state !== 'failed') return []
  if (state.seenJobs.includes(job.id)) return []
  state.seenJobs = [...state.seenJobs, job.id].slice(-SEEN_JOBS_LIMIT)
  // Storage tests are asked for on screen and answered there.
  if (job.kind === 'storage-test') return []
  const name = nameOf(state, job.workspaceId)

  if (job.state === 'failed') {
    const error = job.error
    if (error?.code === 'keychain_unavailable') return [keychainProblem(error.message)]
    if (isKeyProblem(job)) {
      return [
        burst(`key:failed`, name, job.workspaceId, 'error', null, (count, names) => ({
          title:
            count === 1 ? 'A key problem stopped a job' : `A key problem stopped ${count} jobs`,
          body: count === 1 ? `${job.title}: ${error?.message ?? ''}` : names,
        })),
      ]
    }
    const [one, many] = failureNoun[job.kind]
    return [
      burst(`${job.kind}:failed`, name, job.workspaceId, 'error', null, (count, names) => ({
        title: count === 1 ? `${one} failed` : `${count} ${many} failed`,
        body:
          count === 1
            ? `${job.title}: ${error?.message ?? 'see Activity for details.'}${stopNote(job)}`
            : `${names}. See Activity for details.`,
      })),
    ]
  }

  const wording = successes[job.kind]
  if (!wording) return []
  const hourly = job.workspaceId ? (state.workspaces[job.workspaceId]?.hourlyEur ?? null) : null
  const perDay = job.kind === 'stop' && hourly !== null ? hourly * 24 : null
  return [
    burst(`${job.kind}:succeeded`, name, job.workspaceId, 'info', perDay, (count, names, eur) => ({
      title: count === 1 ? wording.one(name) : wording.many(count),
      body: successBody(job, count, names, eur),
    })),
  ]
}

function successBody(job: Job, count: number, names: string, eurPerDay: number | null): string {
  if (job.kind === 'stop') {
    const saves =
      eurPerDay !== null ? ` Saves ${formatEur(eurPerDay)} a day${count > 1 ? ' in all' : ''}.` : ''
    return count === 1
      ? `Its files are safe in a verified restore point; the server is deleted.${saves}`
      : `${names}.${saves}`
  }
  if (count > 1) return `${names}.`
  if (job.kind === 'backup' || job.kind === 'restore') {
    const files = `${job.filesDone} file${job.filesDone === 1 ? '' : 's'}`
    return `${job.title}: ${files}, ${formatBytes(job.bytesDone)}.`
  }
  return job.title
}

/** A failed stop keeps its server (and its bill): said unless the core's message says it. */
function stopNote(job: Job): string {
  if (job.kind !== 'stop') return ''
  return /server (still runs|keeps running|is still running)/i.test(job.error?.message ?? '')
    ? ''
    : ' The server keeps running.'
}

/** A failure caused by the master key or a workspace key, not by the network or the server. */
function isKeyProblem(job: Job): boolean {
  const error = job.error
  if (!error) return false
  if (error.code !== 'unauthorized' && error.code !== 'not_configured') return false
  return /\b(master key|recovery key|data key|workspace key)\b/i.test(error.message)
}

/**
 * One notification per group and burst: a second event within the window replaces the first
 * notification with a count ("3 backups finished"), names listed in the body.
 */
function burst(
  group: string,
  name: string,
  workspaceId: string | null,
  severity: NotificationSeverity,
  eurPerDay: number | null,
  text: (count: number, names: string, eurPerDay: number | null) => { title: string; body: string },
): Candidate {
  const joined = (s: PolicyState, now: number): Burst => {
    const open = s.bursts[group]
    if (open && now - open.lastAt <= COALESCE_WINDOW_MS) {
      const eur =
        open.eurPerDay === null && eurPerDay === null
          ? null
          : (open.eurPerDay ?? 0) + (eurPerDay ?? 0)
      return { id: open.id, lastAt: now, names: [...open.names, name], eurPerDay: eur }
    }
    return { id: `${group}:${now}`, lastAt: now, names: [name], eurPerDay }
  }
  return {
    severity,
    notification: (s, now) => {
      const b = joined(s, now)
      const { title, body } = text(b.names.length, listNames(b.names), b.eurPerDay)
      return {
        id: b.id,
        severity,
        title,
        body,
        // A burst about several workspaces opens the app, not one of them.
        workspaceId: b.names.length === 1 ? workspaceId : null,
        actions: [],
      }
    },
    update: (s, now) => ({ ...s, bursts: { ...s.bursts, [group]: joined(s, now) } }),
  }
}

function listNames(names: string[]): string {
  const unique = [...new Set(names)]
  if (unique.length <= 3) return unique.join(', ')
  return `${unique.slice(0, 3).join(', ')} and ${unique.length - 3} more`
}

export function formatEur(value: number): string {
  return `€${value.toFixed(2)}`
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`
}
