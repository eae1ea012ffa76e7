import { Menu, Tray, type MenuItemConstructorOptions } from 'electron'
import { isEventName, type EventName, type EventPayload } from '../../shared/contract'
import type { PolicyInput } from '../../shared/desktop/notification-policy'
import type { CoreWithServices } from '../core/app'
import type { AppNavigate } from '../../shared/domain/navigation'
import { trayActionCalls, trayActionNavigation } from '../core/desktop/tray-actions'
import { trayModel, type TrayAction, type TrayItem } from '../core/desktop/tray-menu'
import {
  applyTrayEvent,
  emptyTrayState,
  withPause,
  type TrayState,
} from '../core/desktop/tray-state'
import { coreCaller } from './core-call'
import { loadTrayIcons } from './tray-icons'

export interface TrayOptions {
  core: CoreWithServices
  /** Shows the window, on the page `to` says (null: where the user left it). */
  open(to: AppNavigate | null): void
  quit(): void
  /** Tells the user an action failed (a notification). */
  reportFailure(title: string, message: string): void
}

/**
 * The tray: state from the core's events (tray-state.ts), the menu from trayModel, clicks to
 * contract calls through dispatch. Rebuilt at most every 250 ms and only when the model changed,
 * because job progress arrives up to 10 times a second.
 */
export function startTray(options: TrayOptions): () => void {
  const { core } = options
  const call = coreCaller(core)
  const icons = loadTrayIcons()
  const tray = new Tray(icons.idle)
  let state: TrayState = emptyTrayState()
  let shown = ''
  let timer: NodeJS.Timeout | null = null

  const render = () => {
    timer = null
    const model = trayModel(state, Date.now())
    const key = JSON.stringify(model)
    if (key === shown || tray.isDestroyed()) return
    shown = key
    tray.setImage(icons[model.icon])
    tray.setToolTip(model.tooltip)
    tray.setContextMenu(Menu.buildFromTemplate(model.items.map(toTemplate)))
  }
  const schedule = () => (timer ??= setTimeout(render, 250))
  const apply = (input: PolicyInput) => {
    state = applyTrayEvent(state, input)
    schedule()
  }

  const run = async (action: TrayAction) => {
    if (action.kind === 'open') return options.open(trayActionNavigation(action))
    if (action.kind === 'quit') return options.quit()
    for (const { method, input } of trayActionCalls(action, state)) {
      try {
        const output = await call(method, input as never)
        if (method === 'idle.pause' || method === 'idle.resume') {
          state = withPause(state, (output as { pausedUntil: string | null }).pausedUntil)
          schedule()
        }
      } catch (error) {
        options.reportFailure('Cairn could not do that', (error as Error).message)
      }
    }
  }

  function toTemplate(item: TrayItem): MenuItemConstructorOptions {
    if (item.type === 'separator') return { type: 'separator' }
    const { action } = item
    return {
      label: item.label,
      enabled: item.enabled,
      ...(item.submenu ? { submenu: item.submenu.map(toTemplate) } : {}),
      ...(action ? { click: () => void run(action) } : {}),
    }
  }

  // Linux and Windows open the menu on click; a left click elsewhere shows the window.
  tray.on('click', () => process.platform === 'darwin' || options.open(null))
  const unsubscribe = core.events.subscribe(
    <E extends EventName>(event: E, payload: EventPayload<E>) => {
      if (isEventName(event)) apply({ event, payload } as PolicyInput)
    },
  )
  // The pause countdown in the menu ("45 min left") moves without events.
  const minute = setInterval(schedule, 60_000)

  void Promise.allSettled([
    call('workspaces.list', {}).then((list) =>
      apply({ event: 'workspaces.reconciled', payload: list }),
    ),
    call('jobs.list', {}).then((jobs) =>
      jobs.forEach((job) => apply({ event: 'job.updated', payload: job })),
    ),
    call('idle.status', {}).then((all) =>
      all.forEach((s) => apply({ event: 'idle.state', payload: s })),
    ),
    call('keychain.status', {}).then((k) => apply({ event: 'keychain.status', payload: k })),
  ]).then(render)

  return () => {
    unsubscribe()
    clearInterval(minute)
    if (timer) clearTimeout(timer)
    if (!tray.isDestroyed()) tray.destroy()
  }
}
