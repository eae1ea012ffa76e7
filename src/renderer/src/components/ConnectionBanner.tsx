import { useEffect, useState } from 'react'
import { useConnection } from '../state/connection'
import { Spinner } from './Spinner'

/**
 * Says so when the window has lost its core. Only a browser on the headless host gets here:
 * under Electron the connection is the app itself.
 */
export function ConnectionBanner() {
  const state = useConnection((s) => s.state)
  const message = useConnection((s) => s.message)
  const slow = useSlow(state === 'connecting')
  if (state === 'open') return null
  if (state === 'connecting') {
    if (!slow) return null
    return (
      <div
        className="banner banner-info"
        role="status"
        data-testid="connection-banner"
        data-state={state}
      >
        <Spinner size={13} />
        <span>{message ?? 'Connecting to Cairn…'}</span>
      </div>
    )
  }
  return (
    <div
      className="banner banner-error"
      role="alert"
      data-testid="connection-banner"
      data-state={state}
    >
      <strong>
        {state === 'unauthorized'
          ? 'Cairn did not accept this page.'
          : 'Lost the connection to Cairn.'}
      </strong>
      <span>
        {message ??
          (state === 'unauthorized'
            ? 'Open the link Cairn printed when it started (it ends in #token=…); it changes every time Cairn starts.'
            : 'Changes cannot be saved until it is back. This page reconnects on its own.')}
      </span>
    </div>
  )
}

/** True once `active` has held for a moment, so a quick first connect does not flash a banner. */
function useSlow(active: boolean): boolean {
  const [slow, setSlow] = useState(false)
  useEffect(() => {
    if (!active) return
    const timer = setTimeout(() => setSlow(true), 800)
    return () => {
      clearTimeout(timer)
      setSlow(false)
    }
  }, [active])
  return active && slow
}
