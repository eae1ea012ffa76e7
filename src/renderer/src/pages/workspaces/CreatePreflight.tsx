import { Callout } from '../../components/Callout'
import { Message } from '../../components/Message'
import { Spinner } from '../../components/Spinner'
import { useWorkspaceCreate } from '../../state/workspace-create'

/** The checks before money is spent, as workspaces.preflight reported them. */
export function CreatePreflight() {
  const preflight = useWorkspaceCreate((s) => s.preflight)
  if (preflight.status === 'idle') return null
  if (preflight.status === 'running') {
    return (
      <div
        className="ws-preflight"
        data-testid="create-preflight"
        data-state="running"
        role="status"
      >
        <Spinner /> Checking the name, your token, storage, keys and the price…
      </div>
    )
  }
  if (preflight.status === 'error') {
    return (
      <Callout tone="error" title="The checks could not run" testId="create-preflight-error">
        <p data-error-code={preflight.error.code}>
          <Message text={preflight.error.message} />
        </p>
      </Callout>
    )
  }
  const { result } = preflight
  return (
    <section
      className={`ws-preflight ws-preflight-${result.ok ? 'ok' : 'failed'}`}
      data-testid="create-preflight"
      data-state="done"
      data-ok={result.ok}
      aria-label="Checks before creating"
    >
      <p className="ws-preflight-title" role="status">
        {result.ok
          ? 'Everything is ready. Nothing has been bought yet.'
          : 'Fix what is marked before creating; nothing has been bought.'}
      </p>
      <ul className="ws-preflight-checks">
        {result.checks.map((c) => (
          <li key={c.id} data-testid="preflight-check" data-check={c.id} data-ok={c.ok}>
            <span className={`ws-check-mark ws-check-${c.ok ? 'ok' : 'failed'}`} aria-hidden="true">
              {c.ok ? '✓' : '✗'}
            </span>
            <span className="ws-check-label">{c.label}</span>
            <span className="ws-check-message">
              <span className="visually-hidden">{c.ok ? 'passed: ' : 'failed: '}</span>
              <Message text={c.message} />
            </span>
          </li>
        ))}
      </ul>
    </section>
  )
}
