import {
  ConnectionStatusStore,
  type ConnectionListener,
  type ConnectionStatus,
} from '../../../shared/connection-status'
import { HEADLESS_SESSION_PATH, HEADLESS_WS_PATH, takeAccessToken } from '../../../shared/headless'
import { createClient, type CairnApi, type ClientTransport } from '../../../shared/rpc'
import { createWsTransport } from '../../../shared/ws-client'

export type {
  ConnectionState,
  ConnectionStatus,
  ConnectionListener,
} from '../../../shared/connection-status'

declare global {
  interface Window {
    /** The typed API, installed by ensureCairnApi(). */
    cairn?: CairnApi
    /**
     * Set by the Electron preload: the contract's transport over IPC. The client is built here, in
     * the page's own world, because errors crossing Electron's contextBridge lose every property
     * but the message (and with it the error code the UI relies on).
     */
    cairnTransport?: ClientTransport
  }
}

const status = new ConnectionStatusStore()

/**
 * Returns the API: over the Electron preload's IPC transport when there is one, otherwise over a
 * WebSocket to the headless host that served this page. Never throws: a page opened without its
 * access token reports 'unauthorized' through the connection status, and every call fails with
 * code 'unauthorized' and a message that says what to do.
 */
export function ensureCairnApi(): CairnApi {
  if (window.cairn) return window.cairn
  if (window.cairnTransport) {
    status.set('open')
    window.cairn = createClient(window.cairnTransport)
    return window.cairn
  }
  const token = takeAccessToken(window.location, window.history, sessionStorageOrNull())
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
  const transport = createWsTransport({
    url: `${scheme}//${window.location.host}${HEADLESS_WS_PATH}`,
    token,
    status,
    createSocket: (url, protocols, on) => {
      const ws = new WebSocket(url, protocols)
      ws.onopen = () => on.open()
      ws.onmessage = (event) => on.message(event.data)
      ws.onclose = () => on.close()
      return ws
    },
    checkToken: async () => {
      const res = await fetch(HEADLESS_SESSION_PATH, {
        headers: { Authorization: `Bearer ${token}` },
        cache: 'no-store',
      })
      return res.status === 204 ? true : res.status === 401 ? false : null
    },
  })
  window.cairn = createClient(transport)
  return window.cairn
}

/** The current state of the link to the core ('connecting' until ensureCairnApi() runs). */
export function getConnectionStatus(): ConnectionStatus {
  return status.get()
}

/** Calls `listener` at once with the current status and again on every change. */
export function onConnectionStatus(listener: ConnectionListener): () => void {
  return status.subscribe(listener)
}

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage
  } catch {
    return null
  }
}
