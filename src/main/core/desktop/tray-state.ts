import type { PolicyInput } from '../../../shared/desktop/notification-policy'
import type { Job } from '../../../shared/domain/jobs'
import type { KeychainStatus } from '../../../shared/domain/keychain'
import type { WorkspaceList } from '../../../shared/domain/workspace'

/**
 * What the tray shows, kept current from the core's events (the same inputs as the notification
 * policy: contract events plus the keychain status read at start). Initial loads are fed as
 * events too: workspaces.list as 'workspaces.reconciled', each job of jobs.list as 'job.updated',
 * each idle.status entry as 'idle.state'.
 */
export interface TrayState {
  list: WorkspaceList | null
  /** Queued and running jobs by id. */
  active: Record<string, Job | undefined>
  /** The latest finished job per workspace (its failure is a problem until a newer job ends). */
  lastFinished: Record<string, Job | undefined>
  /** Auto-stop is paused for every workspace until then (ISO), or null. */
  pausedUntil: string | null
  keychain: KeychainStatus | null
}

export function emptyTrayState(): TrayState {
  return { list: null, active: {}, lastFinished: {}, pausedUntil: null, keychain: null }
}

export function applyTrayEvent(state: TrayState, input: PolicyInput): TrayState {
  switch (input.event) {
    case 'workspaces.reconciled':
      return { ...state, list: input.payload }
    case 'workspaces.changed': {
      if (!state.list) return state
      const { id, workspace } = input.payload
      const others = state.list.workspaces.filter((w) => w.id !== id)
      const at = state.list.workspaces.findIndex((w) => w.id === id)
      if (workspace) others.splice(at < 0 ? others.length : at, 0, workspace)
      return { ...state, list: { ...state.list, workspaces: others } }
    }
    case 'job.updated':
      return withJob(state, input.payload)
    case 'idle.state':
      return { ...state, pausedUntil: input.payload.pausedUntil }
    case 'keychain.status':
      return { ...state, keychain: input.payload }
    default:
      return state
  }
}

/** After idle.pause or idle.resume answered (no idle.state comes when nothing is watched). */
export function withPause(state: TrayState, pausedUntil: string | null): TrayState {
  return { ...state, pausedUntil }
}

function withJob(state: TrayState, job: Job): TrayState {
  const active = { ...state.active }
  if (job.state === 'queued' || job.state === 'running') {
    active[job.id] = job
    return { ...state, active }
  }
  delete active[job.id]
  const next = { ...state, active }
  if (job.workspaceId === null || job.kind === 'storage-test') return next
  const before = state.lastFinished[job.workspaceId]
  if (before && (before.finishedAt ?? '') > (job.finishedAt ?? '')) return next
  return { ...next, lastFinished: { ...state.lastFinished, [job.workspaceId]: job } }
}
