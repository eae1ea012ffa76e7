import { useState, type FormEvent } from 'react'
import type { MaintenanceDefaults } from '../../../../shared/domain/schedules'
import { Button } from '../../components/Button'
import { ErrorPanel } from '../../components/ErrorPanel'
import { Field } from '../../components/Field'
import { SettingsIcon } from '../../components/icons'
import { Skeleton } from '../../components/Skeleton'
import { useMaintenanceDefaults } from '../../state/maintenance-defaults'
import { checkRetentionDraft, retentionFields, toDraft, type RetentionKey } from './RetentionForm'
import { SavedNote } from './SavedNote'
import { ApplyRetentionField, IntervalFields, useScheduleDraft } from './ScheduleFields'
import { SectionHeading } from './SectionHeading'
import { useLoadWhenIdle } from '../../lib/use-load-when-idle'

/** The default schedule: the same three choices as a workspace's row. */
function ScheduleDefaultsForm({ defaults }: { defaults: MaintenanceDefaults['schedule'] }) {
  const draft = useScheduleDraft(defaults, () =>
    useMaintenanceDefaults.setState({ scheduleSaving: 'idle' }),
  )
  const saving = useMaintenanceDefaults((s) => s.scheduleSaving)
  const error = useMaintenanceDefaults((s) => s.scheduleError)

  async function submit(event: FormEvent) {
    event.preventDefault()
    const values = draft.check()
    if (!values) return
    await useMaintenanceDefaults.getState().saveSchedule(values)
  }

  return (
    <form
      className="defaults-form"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label="Default schedule"
      data-testid="schedule-defaults"
    >
      <h3 className="subheading">Schedule</h3>
      <div className="defaults-schedule">
        <div className="schedule-part">
          <IntervalFields draft={draft} interval="backup" namePrefix="default-" />
        </div>
        <div className="schedule-part">
          <IntervalFields draft={draft} interval="verify" namePrefix="default-" />
        </div>
        <div className="schedule-part">
          <ApplyRetentionField draft={draft} namePrefix="default-" />
        </div>
      </div>
      <div className="form-actions">
        <Button small type="submit" variant="primary" busy={saving === 'saving'}>
          Save default schedule
        </Button>
        <SavedNote state={saving} />
      </div>
      {error ? <ErrorPanel error={error} title="The default schedule was not saved" /> : null}
    </form>
  )
}

/** The default retention policy, with a way back to Cairn's own. */
function RetentionDefaultsForm({ policy }: { policy: MaintenanceDefaults['retention'] }) {
  const [draft, setDraft] = useState(() => toDraft(policy))
  const [errors, setErrors] = useState<Partial<Record<RetentionKey, string>>>({})
  const saving = useMaintenanceDefaults((s) => s.retentionSaving)
  const error = useMaintenanceDefaults((s) => s.retentionError)
  const { saveRetention } = useMaintenanceDefaults.getState()

  async function submit(event: FormEvent) {
    event.preventDefault()
    const result = checkRetentionDraft(draft)
    setErrors(result.errors)
    if (result.policy) await saveRetention(result.policy)
  }

  return (
    <form
      className="defaults-form"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label="Default retention policy"
      data-testid="retention-defaults"
    >
      <h3 className="subheading">Retention policy</h3>
      <div className="retention-grid">
        {retentionFields.map((f) => (
          <Field key={f.key} label={f.label} error={errors[f.key]} hint={f.explain}>
            {(props) => (
              <input
                {...props}
                className="input input-number"
                inputMode="numeric"
                name={`default-${f.key}`}
                value={draft[f.key]}
                onChange={(e) => {
                  setDraft((d) => ({ ...d, [f.key]: e.target.value }))
                  setErrors((x) => ({ ...x, [f.key]: undefined }))
                  useMaintenanceDefaults.setState({ retentionSaving: 'idle' })
                }}
              />
            )}
          </Field>
        ))}
      </div>
      <div className="form-actions">
        <Button small type="submit" variant="primary" busy={saving === 'saving'}>
          Save default policy
        </Button>
        <Button
          small
          variant="ghost"
          disabled={saving === 'saving'}
          onClick={() => {
            setErrors({})
            void saveRetention(null).then((ok) => {
              const now = useMaintenanceDefaults.getState().defaults?.retention
              if (ok && now) setDraft(toDraft(now))
            })
          }}
        >
          Use Cairn&apos;s defaults
        </Button>
        <SavedNote state={saving} />
      </div>
      {error ? <ErrorPanel error={error} title="The default policy was not saved" /> : null}
    </form>
  )
}

/**
 * Settings > Backups: what every workspace without its own schedule or policy follows. A
 * workspace's own values (its row below) win over these.
 */
export function DefaultsSection() {
  const status = useMaintenanceDefaults((s) => s.status)
  const defaults = useMaintenanceDefaults((s) => s.defaults)
  const error = useMaintenanceDefaults((s) => s.error)
  const load = useMaintenanceDefaults((s) => s.load)
  useLoadWhenIdle(status, load)

  return (
    <section
      className="card section"
      aria-labelledby="defaults-heading"
      data-testid="defaults-section"
    >
      <SectionHeading
        id="defaults-heading"
        icon={<SettingsIcon size={20} />}
        title="Defaults for all workspaces"
        description="Every workspace follows these unless you set its own schedule or retention policy below. Changing them applies at once, also to existing workspaces that follow them."
      />
      {status === 'error' && error && !defaults ? (
        <ErrorPanel error={error} title="Could not load the defaults" onRetry={() => void load()} />
      ) : !defaults ? (
        <Skeleton label="Loading the defaults" lines={4} />
      ) : (
        <div className="defaults-body">
          <ScheduleDefaultsForm defaults={defaults.schedule} />
          <RetentionDefaultsForm policy={defaults.retention} />
        </div>
      )}
    </section>
  )
}
