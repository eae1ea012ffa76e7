import type { MethodInput, MethodName } from '../../../shared/contract'
import type { AppNavigate } from '../../../shared/domain/navigation'
import type { TrayAction } from './tray-menu'
import type { TrayState } from './tray-state'

/** One contract call a tray action makes (through dispatch, like every other caller). */
export type TrayCall = { [M in MethodName]: { method: M; input: MethodInput<M> } }[MethodName]

/**
 * The contract calls behind a tray action. 'open' and 'quit' are the shell's own (window, app
 * lifecycle) and make no call.
 */
export function trayActionCalls(action: TrayAction, state: TrayState): TrayCall[] {
  switch (action.kind) {
    case 'backup':
      return [{ method: 'workspaces.backup', input: { id: action.workspaceId } }]
    case 'stop':
      return [{ method: 'workspaces.stop', input: { id: action.workspaceId } }]
    case 'start':
      return [{ method: 'workspaces.start', input: { id: action.workspaceId } }]
    case 'backup-all': {
      const busy = new Set(Object.values(state.active).map((job) => job?.workspaceId))
      return (state.list?.workspaces ?? [])
        .filter((w) => w.state === 'running' && !busy.has(w.id))
        .map((w) => ({ method: 'workspaces.backup', input: { id: w.id } }))
    }
    case 'pause-idle':
      return [{ method: 'idle.pause', input: { minutes: action.minutes } }]
    case 'resume-idle':
      return [{ method: 'idle.resume', input: {} }]
    case 'open':
    case 'quit':
      return []
  }
}

/**
 * Where the window goes when the shell opens it for a workspace (a notification clicked, "Show in
 * Cairn"): that workspace's page; null (nowhere) when it is about no workspace.
 */
export function navigationFor(workspaceId: string | null): AppNavigate | null {
  return workspaceId ? { page: 'workspace', workspaceId } : null
}

/** The page a tray action opens (sent as `app.navigate`), null to leave the window where it is. */
export function trayActionNavigation(action: TrayAction): AppNavigate | null {
  if (action.kind !== 'open') return null
  if (action.workspaceId) return navigationFor(action.workspaceId)
  return action.page ? { page: action.page } : null
}
