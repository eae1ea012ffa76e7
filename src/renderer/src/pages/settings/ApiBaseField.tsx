import { useState, type FormEvent } from 'react'
import { DEFAULT_HETZNER_API_BASE } from '../../../../shared/domain/settings'
import { Button } from '../../components/Button'
import { Field } from '../../components/Field'
import { hostOf } from '../../lib/format'
import { endpointProblem } from '../../lib/storage-form'
import { useHetzner } from '../../state/hetzner'

/** The Hetzner API address: for proxies and test stand-ins, hence tucked away under Advanced. */
export function ApiBaseField({ current }: { current: string }) {
  const [url, setUrl] = useState(current)
  const [shown, setShown] = useState(current)
  // The saved address changed (here or from another window): show the new one.
  if (shown !== current) {
    setShown(current)
    setUrl(current)
  }
  const [problem, setProblem] = useState<string | null>(null)
  const state = useHetzner((s) => s.apiBase)
  const setApiBase = useHetzner((s) => s.setApiBase)
  const busy = state.status === 'busy'
  const isDefault = current === DEFAULT_HETZNER_API_BASE

  async function save(value: string) {
    const found = endpointProblem(value)
    if (found) {
      setProblem(found.replace('endpoint', 'API address'))
      return
    }
    setProblem(null)
    if (await setApiBase(value.trim())) setUrl(value.trim())
  }

  return (
    <details className="advanced">
      <summary>
        Advanced
        {isDefault ? null : <span className="badge">API address: {hostOf(current)}</span>}
      </summary>
      <form
        className="advanced-body"
        noValidate
        onSubmit={(e: FormEvent) => {
          e.preventDefault()
          void save(url)
        }}
      >
        <Field
          label="API base URL"
          error={problem ?? (state.status === 'error' ? state.error.message : undefined)}
          hint={
            isDefault
              ? 'Change this only to go through a proxy or a test stand-in of the Hetzner API.'
              : `Not the default (${DEFAULT_HETZNER_API_BASE}). Tokens are checked against this address.`
          }
        >
          {(props) => (
            <input
              {...props}
              className="input input-mono"
              type="url"
              name="hetzner-api-base"
              value={url}
              spellCheck={false}
              onChange={(e) => {
                setUrl(e.target.value)
                setProblem(null)
              }}
            />
          )}
        </Field>
        <div className="form-actions">
          <Button type="submit" small busy={busy} disabled={url.trim() === current}>
            Save address
          </Button>
          {!isDefault ? (
            <Button
              small
              variant="ghost"
              disabled={busy}
              onClick={() => void save(DEFAULT_HETZNER_API_BASE)}
            >
              Use default
            </Button>
          ) : null}
          {state.status === 'done' ? (
            <span className="form-status" role="status">
              Saved.
            </span>
          ) : null}
        </div>
      </form>
    </details>
  )
}
