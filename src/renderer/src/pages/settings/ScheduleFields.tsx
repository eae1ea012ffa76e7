import { useState } from 'react'
import type { ScheduleDefaults } from '../../../../shared/domain/schedules'
import { Field } from '../../components/Field'
import { BACKUP_MINUTES, VERIFY_HOURS, wholeNumber } from './validate'

type Interval = 'backup' | 'verify'

/** What a schedule form edits: a workspace's own schedule and the default one alike. */
export interface ScheduleDraft {
  on: Record<Interval, boolean>
  text: Record<Interval, string>
  errors: Partial<Record<Interval, string>>
  applyRetention: boolean
  setOn: (interval: Interval, on: boolean) => void
  setText: (interval: Interval, text: string) => void
  setApplyRetention: (apply: boolean) => void
  /** The values to save, or null with the errors shown beside their fields. */
  check: () => ScheduleDefaults | null
}

/** The draft of a schedule form; `touched` runs on every change (to clear a "Saved" note). */
export function useScheduleDraft(initial: ScheduleDefaults, touched: () => void): ScheduleDraft {
  const [on, setOnState] = useState({
    backup: initial.backupEveryMinutes !== null,
    verify: initial.verifyEveryHours !== null,
  })
  const [text, setTextState] = useState({
    backup: String(initial.backupEveryMinutes ?? 120),
    verify: String(initial.verifyEveryHours ?? 168),
  })
  const [applyRetention, setApplyRetentionState] = useState(initial.applyRetention)
  const [errors, setErrors] = useState<Partial<Record<Interval, string>>>({})

  return {
    on,
    text,
    errors,
    applyRetention,
    setOn(interval, value) {
      setOnState((x) => ({ ...x, [interval]: value }))
      setErrors((x) => ({ ...x, [interval]: undefined }))
      touched()
    },
    setText(interval, value) {
      setTextState((x) => ({ ...x, [interval]: value }))
      setErrors((x) => ({ ...x, [interval]: undefined }))
      touched()
    },
    setApplyRetention(value) {
      setApplyRetentionState(value)
      touched()
    },
    check() {
      const b = wholeNumber(text.backup, { ...BACKUP_MINUTES, what: 'the minutes between backups' })
      const v = wholeNumber(text.verify, { ...VERIFY_HOURS, what: 'the hours between verifies' })
      const next = {
        ...(on.backup && !b.ok ? { backup: b.message } : {}),
        ...(on.verify && !v.ok ? { verify: v.message } : {}),
      }
      setErrors(next)
      if (next.backup || next.verify) return null
      return {
        backupEveryMinutes: on.backup && b.ok ? b.value : null,
        verifyEveryHours: on.verify && v.ok ? v.value : null,
        applyRetention,
      }
    },
  }
}

const INTERVALS = {
  backup: {
    toggle: 'Back up automatically',
    toggleName: 'backup-on',
    label: 'Minutes between backups',
    hint: '5 to 44,640',
    name: 'backup-every-minutes',
  },
  verify: {
    toggle: 'Verify restore points',
    toggleName: 'verify-on',
    label: 'Hours between verifies',
    hint: '1 to 8,784 (168 = weekly)',
    name: 'verify-every-hours',
  },
} as const

/** The switch and the number of one interval; input names start with `namePrefix`. */
export function IntervalFields({
  draft,
  interval,
  namePrefix = '',
}: {
  draft: ScheduleDraft
  interval: Interval
  namePrefix?: string
}) {
  const spec = INTERVALS[interval]
  return (
    <>
      <label className="checkbox checkbox-small">
        <input
          type="checkbox"
          name={`${namePrefix}${spec.toggleName}`}
          checked={draft.on[interval]}
          onChange={(e) => draft.setOn(interval, e.target.checked)}
        />
        {spec.toggle}
      </label>
      <Field label={spec.label} error={draft.errors[interval]} hint={spec.hint}>
        {(props) => (
          <input
            {...props}
            className="input input-number"
            inputMode="numeric"
            name={`${namePrefix}${spec.name}`}
            value={draft.text[interval]}
            disabled={!draft.on[interval]}
            onChange={(e) => draft.setText(interval, e.target.value)}
          />
        )}
      </Field>
    </>
  )
}

/** The "apply retention after each scheduled backup" switch. */
export function ApplyRetentionField({
  draft,
  namePrefix = '',
}: {
  draft: ScheduleDraft
  namePrefix?: string
}) {
  return (
    <label className="checkbox checkbox-small">
      <input
        type="checkbox"
        name={`${namePrefix}apply-retention`}
        checked={draft.applyRetention}
        onChange={(e) => draft.setApplyRetention(e.target.checked)}
      />
      Apply retention after each scheduled backup
    </label>
  )
}
