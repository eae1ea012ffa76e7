import { useState, type FormEvent } from 'react'
import type { RetentionPolicy, RetentionView } from '../../../../shared/domain/schedules'
import { Button } from '../../components/Button'
import { ErrorPanel } from '../../components/ErrorPanel'
import { Field } from '../../components/Field'
import { useRetention } from '../../state/retention'
import { RetentionPreview } from './RetentionPreview'
import { KEEP_COUNT, KEEP_WITHIN_HOURS, wholeNumber } from './validate'

export type RetentionKey = keyof RetentionPolicy
type Key = RetentionKey

export const retentionFields: { key: Key; label: string; explain: string }[] = [
  { key: 'keepLast', label: 'Keep the last', explain: 'The newest N restore points.' },
  {
    key: 'keepHourly',
    label: 'Hourly',
    explain: 'The newest restore point of each of the last N hours that have one.',
  },
  { key: 'keepDaily', label: 'Daily', explain: 'The newest of each of the last N days.' },
  { key: 'keepWeekly', label: 'Weekly', explain: 'The newest of each of the last N weeks.' },
  { key: 'keepMonthly', label: 'Monthly', explain: 'The newest of each of the last N months.' },
  {
    key: 'keepWithinHours',
    label: 'Everything within (hours)',
    explain: 'Every restore point up to N hours older than the newest.',
  },
]

export function toDraft(policy: RetentionPolicy): Record<Key, string> {
  return Object.fromEntries(retentionFields.map((f) => [f.key, String(policy[f.key])])) as Record<
    Key,
    string
  >
}

/** Checks every field; the policy, or the message per field. */
export function checkRetentionDraft(draft: Record<Key, string>): {
  policy: RetentionPolicy | null
  errors: Partial<Record<Key, string>>
} {
  const errors: Partial<Record<Key, string>> = {}
  const policy: Partial<RetentionPolicy> = {}
  for (const f of retentionFields) {
    const limits = f.key === 'keepWithinHours' ? KEEP_WITHIN_HOURS : KEEP_COUNT
    const result = wholeNumber(draft[f.key], { ...limits, what: `"${f.label}"` })
    if (result.ok) policy[f.key] = result.value
    else errors[f.key] = result.message
  }
  return Object.keys(errors).length
    ? { policy: null, errors }
    : { policy: policy as RetentionPolicy, errors }
}

/** A workspace's retention policy: the six rules with what each keeps, save, defaults, dry run. */
export function RetentionForm({ view }: { view: RetentionView }) {
  const [draft, setDraft] = useState(() => toDraft(view.policy))
  const [errors, setErrors] = useState<Partial<Record<Key, string>>>({})
  const [saved, setSaved] = useState(false)
  const saving = useRetention((s) => s.saving)
  const saveError = useRetention((s) => s.saveError)
  const { save, preview, clearPreview } = useRetention.getState()

  function validated(): RetentionPolicy | null {
    const result = checkRetentionDraft(draft)
    setErrors(result.errors)
    return result.policy
  }

  async function submit(event: FormEvent) {
    event.preventDefault()
    setSaved(false)
    const policy = validated()
    if (policy && (await save(view.workspaceId, policy))) setSaved(true)
  }

  async function resetToDefaults() {
    setSaved(false)
    setErrors({})
    if (await save(view.workspaceId, null)) {
      setDraft(toDraft(view.defaults))
      setSaved(true)
    }
  }

  return (
    <form
      className="retention-form"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label="Retention policy"
      data-testid="retention-form"
    >
      <p className="retention-state" data-testid="retention-custom" data-custom={view.custom}>
        {view.custom
          ? 'This workspace has its own policy.'
          : 'This workspace uses the default policy.'}
      </p>
      <div className="retention-grid">
        {retentionFields.map((f) => (
          <Field
            key={f.key}
            label={f.label}
            error={errors[f.key]}
            hint={`${f.explain} Default ${view.defaults[f.key]}.`}
          >
            {(props) => (
              <input
                {...props}
                className="input input-number"
                inputMode="numeric"
                name={f.key}
                value={draft[f.key]}
                onChange={(e) => {
                  setDraft((d) => ({ ...d, [f.key]: e.target.value }))
                  setErrors((x) => ({ ...x, [f.key]: undefined }))
                  setSaved(false)
                  clearPreview(view.workspaceId)
                }}
              />
            )}
          </Field>
        ))}
      </div>
      <p className="footnote">
        Every rule adds restore points to what is kept. Restore points made by a stop, pinned ones
        and the newest are always kept. Forgetting removes restore points only; the storage they
        alone used is freed by the next prune.
      </p>
      <div className="form-actions">
        <Button small type="submit" variant="primary" busy={saving}>
          Save policy
        </Button>
        <Button
          small
          onClick={() => {
            const policy = validated()
            if (policy) void preview(view.workspaceId, policy)
          }}
        >
          Preview what would be removed
        </Button>
        {view.custom ? (
          <Button small variant="ghost" disabled={saving} onClick={() => void resetToDefaults()}>
            Use the defaults
          </Button>
        ) : null}
        {saved ? (
          <span className="form-status" role="status">
            Saved.
          </span>
        ) : null}
      </div>
      {saveError ? <ErrorPanel error={saveError} title="The policy was not saved" /> : null}
      <RetentionPreview workspaceId={view.workspaceId} />
    </form>
  )
}
