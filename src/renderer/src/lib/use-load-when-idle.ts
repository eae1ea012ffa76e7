import { useEffect } from 'react'

/**
 * Starts a store's load when a screen that needs it shows and nothing was loaded yet (status
 * 'idle'; a store goes back to 'idle' when what it holds is stale). `enabled` holds it back, e.g.
 * until a token exists.
 */
export function useLoadWhenIdle(status: string, load: () => unknown, enabled = true): void {
  useEffect(() => {
    if (enabled && status === 'idle') void load()
  }, [enabled, status, load])
}
