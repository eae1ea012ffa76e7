import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../shared/ipc-channels'
import type { CallResult, ClientTransport } from '../shared/rpc'

/**
 * The page gets exactly one object: the contract's transport over two fixed channels. Nothing
 * generic (no ipcRenderer, no channel argument); the main process answers only its own window's
 * main frame and parses every method name and input against the contract.
 *
 * The page builds `window.cairn` from this with createClient (src/renderer/src/transport) rather
 * than the preload exposing the client: errors crossing the contextBridge keep only their message,
 * and the UI needs their code. Results cross as plain `{ ok, output | error }` objects, intact.
 */
const transport: ClientTransport = {
  call: (method, input) =>
    ipcRenderer.invoke(IPC_CALL_CHANNEL, String(method), input) as Promise<CallResult>,
  subscribe: (listener) => {
    const forward = (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (typeof name === 'string') listener(name, payload)
    }
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward)
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward)
    }
  },
}

contextBridge.exposeInMainWorld('cairnTransport', transport)
