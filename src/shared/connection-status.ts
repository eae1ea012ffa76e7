/**
 * The state of the link between this page and the core. Under Electron it is always 'open' (the
 * preload talks to its own main process); in a browser it follows the headless host's WebSocket.
 */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized'

export interface ConnectionStatus {
  state: ConnectionState
  /** What to tell the user when the state is not 'open'; null when there is nothing to add. */
  message: string | null
}

export type ConnectionListener = (status: ConnectionStatus) => void

/** A tiny observable value: enough for a zustand store or useSyncExternalStore to follow. */
export class ConnectionStatusStore {
  private status: ConnectionStatus = { state: 'connecting', message: null }
  private readonly listeners = new Set<ConnectionListener>()

  get(): ConnectionStatus {
    return this.status
  }

  set(state: ConnectionState, message: string | null = null): void {
    if (state === this.status.state && message === this.status.message) return
    // A new object on every change, so snapshot-based subscribers see the change.
    this.status = { state, message }
    for (const listener of [...this.listeners]) listener(this.status)
  }

  /** Calls `listener` at once with the current status, then on every change. */
  subscribe(listener: ConnectionListener): () => void {
    this.listeners.add(listener)
    listener(this.status)
    return () => {
      this.listeners.delete(listener)
    }
  }
}
