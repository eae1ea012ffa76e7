import { ipcMain, type BrowserWindow, type WebContents, type WebFrameMain } from 'electron'
import { events, isEventName } from '../../shared/contract'
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL, type CallResult } from '../../shared/rpc'
import { dispatch, type ErrorReporter } from '../core/api/dispatch'
import type { Core } from '../core/app'
import { isAppUrl, type AppLocation } from '../../shared/app-location'

export interface IpcOptions {
  core: Core
  location: AppLocation
  /** The window whose main frame may call; null while there is none. */
  window: () => BrowserWindow | null
  reportError: ErrorReporter
}

/**
 * The IPC transport: one handler for every call, and core events sent to the window. A call is
 * answered only if it comes from the main frame of our window showing one of our pages; the
 * method and input are then checked by `dispatch` like on every other transport.
 */
export function registerIpc(options: IpcOptions): () => void {
  const { core, location } = options
  const aborts = new WeakMap<WebContents, AbortController>()

  const signalFor = (contents: WebContents): AbortSignal => {
    let controller = aborts.get(contents)
    if (!controller) {
      const created = new AbortController()
      controller = created
      aborts.set(contents, created)
      // Work started for a page is abandoned when the page goes: reload, crash or close.
      const abandon = () => {
        created.abort()
        aborts.delete(contents)
        contents.off('did-start-navigation', onNavigation)
      }
      const onNavigation = (details: { isMainFrame: boolean; isSameDocument: boolean }) => {
        if (details.isMainFrame && !details.isSameDocument) abandon()
      }
      contents.on('did-start-navigation', onNavigation)
      contents.once('render-process-gone', abandon)
      contents.once('destroyed', abandon)
    }
    return controller.signal
  }

  const isTrusted = (sender: WebContents, frame: WebFrameMain | null): boolean => {
    const window = options.window()
    return (
      window !== null &&
      !window.isDestroyed() &&
      sender === window.webContents &&
      frame !== null &&
      frame.parent === null &&
      isAppUrl(frame.url, location)
    )
  }

  ipcMain.handle(
    IPC_CALL_CHANNEL,
    async (event, method: unknown, input: unknown): Promise<CallResult> => {
      if (!isTrusted(event.sender, event.senderFrame)) {
        return { ok: false, error: { code: 'forbidden', message: 'This page may not call Cairn.' } }
      }
      const ctx = { host: 'electron' as const, signal: signalFor(event.sender) }
      return dispatch(core.handlers, method, input, ctx, options.reportError)
    },
  )

  const unsubscribe = core.events.subscribe((event, payload) => {
    if (!isEventName(event)) return
    const parsed = events[event].payload.safeParse(payload)
    if (!parsed.success) return options.reportError(`event ${event}`, parsed.error)
    const window = options.window()
    if (window && !window.isDestroyed()) {
      window.webContents.send(IPC_EVENT_CHANNEL, event, parsed.data)
    }
  })

  return () => {
    unsubscribe()
    ipcMain.removeHandler(IPC_CALL_CHANNEL)
  }
}
