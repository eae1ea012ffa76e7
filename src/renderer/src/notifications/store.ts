import { create } from 'zustand'
import {
  initialPolicyState,
  notificationPolicy,
  type DesktopNotification,
  type NotificationActionKind,
  type PolicyInput,
  type PolicyState,
} from '../../../shared/desktop/notification-policy'
import { useAppInfo } from '../state/app-info'
import { useIdle } from '../state/idle'
import { useSettings } from '../state/settings'

/** Info toasts go by themselves; warnings and errors stay until dismissed or no longer true. */
const INFO_TOAST_MS = 8_000
const MAX_TOASTS = 5

interface ToastsState {
  toasts: DesktopNotification[]
  policy: PolicyState
  feed(input: PolicyInput): void
  dismiss(id: string): void
  act(id: string, action: NotificationActionKind): Promise<void>
}

const timers = new Map<string, ReturnType<typeof setTimeout>>()

/**
 * The browser's notifications: the shared policy (the one the Electron shell uses) turned into
 * in-app toasts. Under Electron the main process shows system notifications, so nothing is shown
 * here (no doubles); the policy still runs so it knows names and prices.
 */
export const useToasts = create<ToastsState>()((set, get) => ({
  toasts: [],
  policy: initialPolicyState(),
  feed(input) {
    const level = useSettings.getState().settings?.preferences.notificationLevel ?? 'all'
    const result = notificationPolicy(get().policy, input, level, Date.now())
    set({ policy: result.state })
    result.dismiss.forEach((id) => get().dismiss(id))
    if (useAppInfo.getState().info?.host !== 'headless') return
    for (const notification of result.show) show(notification)
  },
  dismiss(id) {
    clearTimeout(timers.get(id))
    timers.delete(id)
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }))
  },
  async act(id, action) {
    if (action.kind === 'postpone-idle') {
      await useIdle.getState().postpone(action.workspaceId, action.minutes)
      if (useIdle.getState().error) return
    }
    get().dismiss(id)
  },
}))

function show(notification: DesktopNotification): void {
  const { toasts, dismiss } = useToasts.getState()
  // A coalesced burst replaces its earlier toast in place.
  const replaced = toasts.some((t) => t.id === notification.id)
  const next = replaced
    ? toasts.map((t) => (t.id === notification.id ? notification : t))
    : [...toasts, notification]
  useToasts.setState({ toasts: next.slice(-MAX_TOASTS) })
  clearTimeout(timers.get(notification.id))
  if (notification.severity === 'info') {
    timers.set(
      notification.id,
      setTimeout(() => dismiss(notification.id), INFO_TOAST_MS),
    )
  }
  systemNotification(notification)
}

/**
 * While the tab is in the background a toast goes unseen, so the browser's own notification is
 * used too, but only if the user already allowed it: Cairn never asks.
 */
function systemNotification(notification: DesktopNotification): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return
  if (!document.hidden) return
  try {
    const system = new Notification(notification.title, {
      body: notification.body,
      tag: notification.id,
    })
    system.onclick = () => {
      window.focus()
      system.close()
    }
  } catch {
    // Some browsers allow notifications only from a service worker: the toast is enough.
  }
}
