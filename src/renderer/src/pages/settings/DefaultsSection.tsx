import { useEffect, useState, type FormEvent } from 'react'
import type { MaintenanceDefaults } from '../../../../shared/domain/schedules'
import { Button } from '../../components/Button'
import { ErrorPanel } from '../../components/ErrorPanel'
import { Field } from '../../components/Field'
import { SettingsIcon } from '../../components/icons'
import { Skeleton } from '../../components/Skeleton'
import { useMaintenanceDefaults } from '../../state/maintenance-defaults'
import { checkRetentionDraft, retentionFields, toDraft, type RetentionKey } from './RetentionForm'
import { SavedNote } from './SavedNote'
import { SectionHeading } from './SectionHeading'
import { BACKUP_MINUTES, VERIFY_HOURS, wholeNumber } from './validate'

/** The default schedule: the same three choices as a workspace's row. */
function ScheduleDefaultsForm({ defaults }: { defaults: MaintenanceDefaults['schedule'] }) {
  const [backupOn, setBackupOn] = useState(defaults.backupEveryMinutes !== null)
  const [backup, setBackup] = useState(String(defaults.backupEveryMinutes ?? 120))
  const [verifyOn, setVerifyOn] = useState(defaults.verifyEveryHours !== null)
  const [verify, setVerify] = useState(String(defaults.verifyEveryHours ?? 168))
  const [applyRetention, setApplyRetention] = useState(defaults.applyRetention)
  const [errors, setErrors] = useState<{ backup?: string; verify?: string }>({})
  const saving = useMaintenanceDefaults((s) => s.scheduleSaving)
  const error = useMaintenanceDefaults((s) => s.scheduleError)

  async function submit(event: FormEvent) {
    event.preventDefault()
    const b = wholeNumber(backup, { ...BACKUP_MINUTES, what: 'the minutes between backups' })
    const v = wholeNumber(verify, { ...VERIFY_HOURS, what: 'the hours between verifies' })
    const next = {
      ...(backupOn && !b.ok ? { backup: b.message } : {}),
      ...(verifyOn && !v.ok ? { verify: v.message } : {}),
    }
    setErrors(next)
    if (next.backup || next.verify) return
    await useMaintenanceDefaults.getState().saveSchedule({
      backupEveryMinutes: backupOn && b.ok ? b.value : null,
      verifyEveryHours: verifyOn && v.ok ? v.value : null,
      applyRetention,
    })
  }
  const touched = () => useMaintenanceDefaults.setState({ scheduleSaving: 'idle' })

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
          <label className="checkbox checkbox-small">
            <input
              type="checkbox"
              name="default-backup-on"
              checked={backupOn}
              onChange={(e) => {
                setBackupOn(e.target.checked)
                setErrors((x) => ({ ...x, backup: undefined }))
                touched()
              }}
            />
            Back up automatically
          </label>
          <Field label="Minutes between backups" error={errors.backup} hint="5 to 44,640">
            {(props) => (
              <input
                {...props}
                className="input input-number"
                inputMode="numeric"
                name="default-backup-every-minutes"
                value={backup}
                disabled={!backupOn}
                onChange={(e) => {
                  setBackup(e.target.value)
                  setErrors((x) => ({ ...x, backup: undefined }))
                  touched()
                }}
              />
            )}
          </Field>
        </div>
        <div className="schedule-part">
          <label className="checkbox checkbox-small">
            <input
              type="checkbox"
              name="default-verify-on"
              checked={verifyOn}
              onChange={(e) => {
                setVerifyOn(e.target.checked)
                setErrors((x) => ({ ...x, verify: undefined }))
                touched()
              }}
            />
            Verify restore points
          </label>
          <Field
            label="Hours between verifies"
            error={errors.verify}
            hint="1 to 8,784 (168 = weekly)"
          >
            {(props) => (
              <input
                {...props}
                className="input input-number"
                inputMode="numeric"
                name="default-verify-every-hours"
                value={verify}
                disabled={!verifyOn}
                onChange={(e) => {
                  setVerify(e.target.value)
                  setErrors((x) => ({ ...x, verify: undefined }))
                  touched()
                }}
              />
            )}
          </Field>
        </div>
        <div className="schedule-part">
          <label className="checkbox checkbox-small">
            <input
              type="checkbox"
              name="default-apply-retention"
              checked={applyRetention}
              onChange={(e) => {
                setApplyRetention(e.target.checked)
                touched()
              }}
            />
            Apply retention after each scheduled backup
          </label>
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
  useEffect(() => {
    if (status === 'idle') void load()
  }, [status, load])

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
