import type { Handlers } from '../api/dispatch'
import type { IdleMonitor } from './idle-monitor'
import type { IdleSettingsStore } from './idle-settings'

type IdleMethods =
  | 'idle.status'
  | 'idle.postpone'
  | 'idle.pause'
  | 'idle.resume'
  | 'idle.settings'
  | 'idle.setStopAllOnQuit'

export function idleHandlers(
  monitor: IdleMonitor,
  settings: IdleSettingsStore,
): Pick<Handlers, IdleMethods> {
  const paused = () => {
    const until = monitor.pausedUntilTime()
    return { pausedUntil: until === null ? null : new Date(until).toISOString() }
  }
  return {
    'idle.status': async () => monitor.states(),
    'idle.postpone': async ({ workspaceId, minutes }) => monitor.postpone(workspaceId, minutes),
    'idle.pause': async ({ minutes }) => {
      monitor.pause(minutes)
      return paused()
    },
    'idle.resume': async () => {
      monitor.resume()
      return paused()
    },
    'idle.settings': async () => settings.get(),
    'idle.setStopAllOnQuit': async ({ enabled }) => settings.update({ stopAllOnQuit: enabled }),
  }
}
