import { create } from 'zustand'
import { onConnectionStatus, type ConnectionState } from '../transport'

export type { ConnectionState }

interface ConnectionStore {
  state: ConnectionState
  /** The transport's words for a state other than 'open'. */
  message: string | null
}

/**
 * The link to the core, as the transport reports it. Under Electron it is always 'open'; in a
 * browser it follows the headless host's WebSocket.
 */
export const useConnection = create<ConnectionStore>()(() => ({
  state: 'connecting',
  message: null,
}))

/** Follows the transport; `onReopen` runs when the link comes back after a drop. */
export function followConnection(onReopen: () => void): () => void {
  let wasLost = false
  return onConnectionStatus((status) => {
    useConnection.setState({ state: status.state, message: status.message })
    if (status.state === 'closed') wasLost = true
    if (status.state === 'open' && wasLost) {
      wasLost = false
      onReopen()
    }
  })
}
