import { useAppInfo } from '../state/app-info'
import { useConnection } from '../state/connection'
import { Spinner } from './Spinner'

/** The window's top bar: where you are, and whether this window is talking to Cairn. */
export function Header({ title, subtitle }: { title: string; subtitle: string }) {
  return (
    <header className="topbar">
      <div className="topbar-text">
        <h1 className="page-title">{title}</h1>
        <p className="page-subtitle">{subtitle}</p>
      </div>
      <ConnectionPill />
    </header>
  )
}

function ConnectionPill() {
  const state = useConnection((s) => s.state)
  const host = useAppInfo((s) => s.info?.host)
  // Under Electron the core is the app itself; only a browser needs to know about the link.
  if (host === 'electron') return null
  const label =
    state === 'open'
      ? 'Connected'
      : state === 'connecting'
        ? 'Connecting'
        : state === 'unauthorized'
          ? 'Not authorised'
          : 'Disconnected'
  return (
    <span className={`pill pill-${state}`} data-testid="connection-state" data-state={state}>
      {state === 'connecting' ? <Spinner size={10} /> : <span className="dot" aria-hidden="true" />}
      {label}
    </span>
  )
}
