import { useState, type FormEvent } from 'react'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { Field } from '../../components/Field'
import { hetznerErrorHeading, retryAfterSeconds } from '../../lib/errors'
import { formatDuration } from '../../lib/format'
import { useHetzner } from '../../state/hetzner'
import { Message } from '../../components/Message'

/** Enter a token; it is checked against Hetzner and stored only if Hetzner accepts it. */
export function TokenForm({
  apiBase,
  onCancel,
  onSaved,
}: {
  apiBase: string
  onCancel?: (() => void) | undefined
  onSaved?: () => void
}) {
  const [token, setToken] = useState('')
  const [missing, setMissing] = useState(false)
  const check = useHetzner((s) => s.check)
  const saveToken = useHetzner((s) => s.saveToken)
  const resetCheck = useHetzner((s) => s.resetCheck)
  const checking = check.status === 'checking'

  async function submit(event: FormEvent) {
    event.preventDefault()
    if (!token.trim()) {
      setMissing(true)
      return
    }
    if (await saveToken(token.trim())) {
      setToken('')
      onSaved?.()
    }
  }

  const error = check.status === 'error' ? check.error : null
  const wait = error ? retryAfterSeconds(error) : null
  return (
    <form className="token-form" onSubmit={(e) => void submit(e)} noValidate>
      <Field
        label="API token"
        error={missing ? 'Paste your Hetzner Cloud API token.' : undefined}
        hint={
          <>
            In the Hetzner Cloud Console, open your project, then Security → API tokens, and
            generate a token with <strong>Read &amp; Write</strong> permission.
          </>
        }
      >
        {(props) => (
          <input
            {...props}
            className="input input-mono"
            type="password"
            name="hetzner-token"
            autoComplete="off"
            spellCheck={false}
            value={token}
            disabled={checking}
            placeholder="64-character token"
            onChange={(e) => {
              setToken(e.target.value)
              setMissing(false)
              if (check.status === 'error') resetCheck()
            }}
          />
        )}
      </Field>
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={checking}>
          {checking ? 'Checking…' : 'Check and save'}
        </Button>
        {onCancel ? (
          <Button variant="ghost" onClick={onCancel} disabled={checking}>
            Cancel
          </Button>
        ) : null}
        {checking ? (
          <span className="form-status" role="status">
            Asking Hetzner whether it accepts this token…
          </span>
        ) : null}
      </div>
      {error ? (
        <Callout tone="error" title={hetznerErrorHeading(error, apiBase)} testId="hetzner-error">
          <p data-error-code={error.code}>
            <Message text={error.message} />
          </p>
          {error.code === 'rate_limited' && wait !== null && !/try again/i.test(error.message) ? (
            <p>Try again in {formatDuration(wait)}.</p>
          ) : null}
          <p className="callout-note">Nothing was stored.</p>
        </Callout>
      ) : null}
    </form>
  )
}
