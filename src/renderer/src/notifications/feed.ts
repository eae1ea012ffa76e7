import type { CairnApi } from '../../../shared/rpc'
import { useKeychain } from '../state/keychain'
import { useWorkspaces } from '../state/workspaces'
import { useToasts } from './store'

/**
 * Feeds the toasts' policy from the events it needs and from the stores' first loads (names and
 * prices from the workspace list, the keychain status). Started once by state/sync.ts.
 */
export function startNotificationFeed(api: CairnApi): () => void {
  const feed = useToasts.getState().feed
  const stops = [
    api.on('job.updated', (payload) => feed({ event: 'job.updated', payload })),
    api.on('idle.warning', (payload) => feed({ event: 'idle.warning', payload })),
    api.on('idle.state', (payload) => feed({ event: 'idle.state', payload })),
    api.on('workspaces.changed', (payload) => feed({ event: 'workspaces.changed', payload })),
    useWorkspaces.subscribe((s, before) => {
      if (s.list && s.list !== before.list)
        feed({ event: 'workspaces.reconciled', payload: s.list })
    }),
    useKeychain.subscribe((s, before) => {
      if (s.keychain && s.keychain !== before.keychain) {
        feed({ event: 'keychain.status', payload: s.keychain })
      }
    }),
  ]
  return () => {
    for (const stop of stops) stop()
  }
}
