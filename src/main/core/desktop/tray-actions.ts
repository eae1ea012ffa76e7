import type { MethodInput, MethodName } from '../../../shared/contract'
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
