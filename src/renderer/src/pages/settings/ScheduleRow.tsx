import { useState, type FormEvent } from 'react'
import type { ScheduleStatus } from '../../../../shared/domain/schedules'
import { Button } from '../../components/Button'
import { Field } from '../../components/Field'
import { Message } from '../../components/Message'
import { formatDateTime } from '../../lib/format'
import { useSchedules } from '../../state/schedules'
import { BACKUP_MINUTES, VERIFY_HOURS, wholeNumber } from './validate'

function Outcome({
  last,
  label,
}: {
  last: { at: string; ok: boolean; message: string | null } | null
  label: string
}) {
  if (!last) return <span className="muted">No {label} yet</span>
  return (
    <span className={last.ok ? 'outcome outcome-ok' : 'outcome outcome-failed'} data-ok={last.ok}>
      <span className={`dot ${last.ok ? 'dot-ok' : 'dot-error'}`} aria-hidden="true" />
      {last.ok ? 'Succeeded' : 'Failed'} {formatDateTime(last.at)}
      {!last.ok && last.message ? (
        <span className="outcome-message">
          : <Message text={last.message} />
        </span>
      ) : null}
    </span>
  )
}

/** One workspace's schedule: a form with the two intervals and retention, plus next and last runs. */
export function ScheduleRow({ item }: { item: ScheduleStatus }) {
  const { settings } = item
  const [backupOn, setBackupOn] = useState(settings.backupEveryMinutes !== null)
  const [backup, setBackup] = useState(String(settings.backupEveryMinutes ?? 120))
  const [verifyOn, setVerifyOn] = useState(settings.verifyEveryHours !== null)
  const [verify, setVerify] = useState(String(settings.verifyEveryHours ?? 168))
  const [applyRetention, setApplyRetention] = useState(settings.applyRetention)
  const [errors, setErrors] = useState<{ backup?: string; verify?: string }>({})
  const [saved, setSaved] = useState(false)
  const saving = useSchedules((s) => s.saving[item.workspaceId] ?? false)
  const saveError = useSchedules((s) => s.saveErrors[item.workspaceId])

  async function submit(event: FormEvent) {
    event.preventDefault()
    setSaved(false)
    const b = wholeNumber(backup, { ...BACKUP_MINUTES, what: 'the minutes between backups' })
    const v = wholeNumber(verify, { ...VERIFY_HOURS, what: 'the hours between verifies' })
    const next = {
      ...(backupOn && !b.ok ? { backup: b.message } : {}),
      ...(verifyOn && !v.ok ? { verify: v.message } : {}),
    }
    setErrors(next)
    if (next.backup || next.verify) return
    const ok = await useSchedules.getState().save(item.workspaceId, {
      backupEveryMinutes: backupOn && b.ok ? b.value : null,
      verifyEveryHours: verifyOn && v.ok ? v.value : null,
      applyRetention,
    })
    setSaved(ok)
  }

  const touched = () => setSaved(false)
  return (
    <form
      className="schedule"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label={`Schedule of ${item.name}`}
      data-testid="schedule-row"
      data-workspace-id={item.workspaceId}
    >
      <div className="schedule-head">
        <h3 className="schedule-name">{item.name}</h3>
      </div>
      <div className="schedule-grid">
        <div className="schedule-part">
          <label className="checkbox checkbox-small">
            <input
              type="checkbox"
              name="backup-on"
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
                name="backup-every-minutes"
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
          <dl className="schedule-facts">
            <dt>Next</dt>
            <dd data-testid="next-backup">
              {item.backup.nextRunAt
                ? formatDateTime(item.backup.nextRunAt)
                : settings.backupEveryMinutes === null
                  ? 'Off'
                  : 'When the workspace runs'}
            </dd>
            <dt>Last</dt>
            <dd data-testid="last-backup">
              <Outcome last={item.backup.last} label="scheduled backup" />
            </dd>
          </dl>
        </div>
        <div className="schedule-part">
          <label className="checkbox checkbox-small">
            <input
              type="checkbox"
              name="verify-on"
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
                name="verify-every-hours"
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
          <dl className="schedule-facts">
            <dt>Next</dt>
            <dd>
              {item.verify.nextRunAt
                ? formatDateTime(item.verify.nextRunAt)
                : settings.verifyEveryHours === null
                  ? 'Off'
                  : 'When due'}
            </dd>
            <dt>Last</dt>
            <dd>
              <Outcome last={item.verify.last} label="verify" />
            </dd>
          </dl>
        </div>
        <div className="schedule-part">
          <label className="checkbox checkbox-small">
            <input
              type="checkbox"
              name="apply-retention"
              checked={applyRetention}
              onChange={(e) => {
                setApplyRetention(e.target.checked)
                touched()
              }}
            />
            Apply retention after each scheduled backup
          </label>
          <dl className="schedule-facts">
            <dt>Last</dt>
            <dd>
              {item.retention.last ? (
                <>
                  <Outcome last={item.retention.last} label="retention run" />
                  {item.retention.last.ok
                    ? ` — kept ${item.retention.last.kept}, removed ${item.retention.last.removed}`
                    : null}
                </>
              ) : (
                <span className="muted">Not run yet</span>
              )}
            </dd>
          </dl>
        </div>
      </div>
      <div className="form-actions">
        <Button small type="submit" variant="primary" busy={saving}>
          Save schedule
        </Button>
        {saved ? (
          <span className="form-status" role="status">
            Saved.
          </span>
        ) : null}
        {saveError ? (
          <span className="field-error" role="alert">
            Not saved: <Message text={saveError.message} />
          </span>
        ) : null}
      </div>
    </form>
  )
}
