import { useState, type FormEvent } from 'react'
import { Button } from '../../components/Button'
import { Field } from '../../components/Field'
import { usePreferences } from '../../state/preferences'
import { useSettings } from '../../state/settings'
import { SavedNote } from './SavedNote'
import { wholeNumber } from './validate'

/** Limits from the contract (settings.setPreferences' defaultIdleTimeoutMinutes). */
const IDLE_MINUTES = { min: 5, max: 7 * 24 * 60 }

/** The auto-stop new workspaces start with; the create form and onboarding start from it. */
export function DefaultIdleForm() {
  const current = useSettings((s) => s.settings?.preferences.defaultIdleTimeoutMinutes)
  // The notifications section above shows the settings' loading and error states.
  if (current === undefined) return null
  return <DefaultIdleFields current={current} />
}

function DefaultIdleFields({ current }: { current: number | null }) {
  const saving = usePreferences((s) => s.saving.defaultIdleTimeoutMinutes)
  const [on, setOn] = useState(current !== null)
  const [minutes, setMinutes] = useState(String(current ?? 30))
  const [error, setError] = useState<string | undefined>()

  async function submit(event: FormEvent) {
    event.preventDefault()
    const checked = wholeNumber(minutes, { ...IDLE_MINUTES, what: 'the idle minutes' })
    if (on && !checked.ok) {
      setError(`${checked.message} (10,080 is a week), or turn auto-stop off.`)
      return
    }
    setError(undefined)
    await usePreferences
      .getState()
      .setPreference('defaultIdleTimeoutMinutes', on && checked.ok ? checked.value : null)
  }
  const touched = () =>
    usePreferences.setState((s) => ({ saving: { ...s.saving, defaultIdleTimeoutMinutes: 'idle' } }))

  return (
    <form
      className="pref-group default-idle"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label="Default auto-stop for new workspaces"
      data-testid="default-idle"
    >
      <label className="checkbox">
        <input
          type="checkbox"
          name="default-idle-on"
          checked={on}
          onChange={(e) => {
            setOn(e.target.checked)
            setError(undefined)
            touched()
          }}
        />
        <span>
          <strong>Auto-stop new workspaces when idle</strong>
          <span className="checkbox-hint">
            {' '}
            — the create form starts from this; each workspace can change it later.
          </span>
        </span>
      </label>
      <div className="default-idle-row">
        <Field label="Idle minutes before a stop" error={error} hint="5 to 10,080 (a week)">
          {(props) => (
            <input
              {...props}
              className="input input-number"
              inputMode="numeric"
              name="default-idle-minutes"
              value={minutes}
              disabled={!on}
              onChange={(e) => {
                setMinutes(e.target.value)
                setError(undefined)
                touched()
              }}
            />
          )}
        </Field>
        <div className="form-actions">
          <Button small type="submit" variant="primary" busy={saving === 'saving'}>
            Save default
          </Button>
          <SavedNote state={saving} />
        </div>
      </div>
    </form>
  )
}
