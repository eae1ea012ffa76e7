import type { RetentionPolicy } from '../../../shared/domain/schedules'
import { CairnError } from '../../../shared/errors'

/**
 * What a workspace keeps unless the user says otherwise (docs/schedules-and-retention.md says
 * why): with a backup every 2 hours, the last 10 cover the working day, hourly 24 the last day,
 * daily 14 two weeks, weekly 8 two months and monthly 12 a year; everything of the last 2 days is
 * kept so an "undo" of yesterday's change never depends on which rule caught it.
 */
export const DEFAULT_RETENTION: RetentionPolicy = Object.freeze({
  keepLast: 10,
  keepHourly: 24,
  keepDaily: 14,
  keepWeekly: 8,
  keepMonthly: 12,
  keepWithinHours: 48,
})

/** The tag a stop's restore point carries: the workspace's only copy while it is stopped. */
export const STOP_TAG = 'stop'

/** The policy with `partial`'s fields over `base`'s. */
export function mergePolicy(
  base: RetentionPolicy,
  partial: Partial<RetentionPolicy> | undefined | null,
): RetentionPolicy {
  const out = { ...base }
  for (const [key, value] of Object.entries(partial ?? {})) {
    if (value !== undefined) out[key as keyof RetentionPolicy] = value
  }
  return out
}

/** "2d", "36h", "1w", "3m" (30 days), "1y" (365 days) -> hours. */
export function parseDurationHours(text: string): number {
  const match = /^(\d{1,6})([hdwmy])$/.exec(text.trim())
  if (!match) {
    throw new CairnError(
      'invalid_input',
      `A duration is a number and a unit h, d, w, m (30 days) or y, like 2d or 36h (not ${text}).`,
    )
  }
  const hours = { h: 1, d: 24, w: 24 * 7, m: 24 * 30, y: 24 * 365 }[match[2] as 'h']
  return Number(match[1]) * hours
}

/** "48h" -> "2d", "36h" -> "36h": how a keep-within duration is shown. */
export function formatDurationHours(hours: number): string {
  if (hours > 0 && hours % 24 === 0) return `${hours / 24}d`
  return `${hours}h`
}
