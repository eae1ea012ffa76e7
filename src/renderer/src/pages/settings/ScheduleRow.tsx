import { useState, type FormEvent } from 'react'
import type { ScheduleStatus } from '../../../../shared/domain/schedules'
import { Button } from '../../components/Button'
import { Message } from '../../components/Message'
import { formatDateTime } from '../../lib/format'
import { useSchedules } from '../../state/schedules'
import { ApplyRetentionField, IntervalFields, useScheduleDraft } from './ScheduleFields'

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
  const [saved, setSaved] = useState(false)
  const draft = useScheduleDraft(settings, () => setSaved(false))
  const saving = useSchedules((s) => s.saving[item.workspaceId] ?? false)
  const saveError = useSchedules((s) => s.saveErrors[item.workspaceId])

  async function submit(event: FormEvent) {
    event.preventDefault()
    setSaved(false)
    const values = draft.check()
    if (!values) return
    const ok = await useSchedules.getState().save(item.workspaceId, values)
    setSaved(ok)
  }

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
          <IntervalFields draft={draft} interval="backup" />
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
          <IntervalFields draft={draft} interval="verify" />
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
          <ApplyRetentionField draft={draft} />
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
