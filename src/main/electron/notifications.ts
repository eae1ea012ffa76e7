import { Notification } from 'electron'
import { isEventName, type EventName, type EventPayload } from '../../shared/contract'
import {
  initialPolicyState,
  notificationPolicy,
  type DesktopNotification,
  type PolicyInput,
} from '../../shared/desktop/notification-policy'
import type { AppNavigate } from '../../shared/domain/navigation'
import type { NotificationLevel } from '../../shared/domain/settings'
import type { CoreWithServices } from '../core/app'
import { navigationFor } from '../core/desktop/tray-actions'
import { coreCaller } from './core-call'

export interface NotificationOptions {
  core: CoreWithServices
  /** Shows the window, on the page `to` says (null: where the user left it). */
  open(to: AppNavigate | null): void
}

/**
 * Electron notifications from the shared policy (src/shared/desktop/notification-policy.ts), at
 * the level in the preferences. Action buttons exist on macOS only; elsewhere a click on the
 * "stops in 5 minutes" notification opens the workspace, whose page has Keep running.
 */
export function startNotifications(options: NotificationOptions): {
  stop(): void
  /** A one-off message from the shell itself (a tray action that failed). */
  report(title: string, message: string): void
} {
  const { core } = options
  const call = coreCaller(core)
  let level: NotificationLevel = 'all'
  let state = initialPolicyState()
  const shown = new Map<string, Notification>()

  const close = (id: string) => {
    shown.get(id)?.close()
    shown.delete(id)
  }

  const show = (n: DesktopNotification) => {
    if (!Notification.isSupported()) return
    close(n.id)
    const notification = new Notification({
      title: n.title,
      body: n.body,
      silent: n.severity === 'info',
      urgency: n.severity === 'error' ? 'critical' : 'normal',
      actions: n.actions.map((a) => ({ type: 'button' as const, text: a.label })),
    })
    notification.on('click', () => options.open(navigationFor(n.workspaceId)))
    notification.on('action', (_event, index) => {
      const chosen = n.actions[index]?.action
      if (chosen?.kind === 'postpone-idle') {
        void call('idle.postpone', {
          workspaceId: chosen.workspaceId,
          minutes: chosen.minutes,
        }).catch((error: unknown) =>
          report('Cairn could not keep it running', (error as Error).message),
        )
      }
    })
    notification.on('close', () => shown.get(n.id) === notification && shown.delete(n.id))
    shown.set(n.id, notification)
    notification.show()
  }

  const feed = (input: PolicyInput) => {
    if (input.event === 'settings.changed') level = input.payload.preferences.notificationLevel
    const result = notificationPolicy(state, input, level, Date.now())
    state = result.state
    result.dismiss.forEach(close)
    result.show.forEach(show)
  }

  function report(title: string, message: string) {
    show({
      id: `shell:${Date.now()}`,
      severity: 'error',
      title,
      body: message,
      workspaceId: null,
      actions: [],
    })
  }

  const unsubscribe = core.events.subscribe(
    <E extends EventName>(event: E, payload: EventPayload<E>) => {
      if (isEventName(event)) feed({ event, payload } as PolicyInput)
    },
  )
  void call('settings.get', {})
    .then((settings) => (level = settings.preferences.notificationLevel))
    .catch(() => {})
  // Names and prices for "web stopped, saves €1.20 a day", and a missing keychain told at start.
  void call('workspaces.list', {})
    .then((list) => feed({ event: 'workspaces.reconciled', payload: list }))
    .catch(() => {})
  void call('keychain.status', {})
    .then((keychain) => feed({ event: 'keychain.status', payload: keychain }))
    .catch(() => {})

  return {
    stop() {
      unsubscribe()
      for (const id of [...shown.keys()]) close(id)
    },
    report,
  }
}
