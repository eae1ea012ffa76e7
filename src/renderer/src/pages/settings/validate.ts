/**
 * In-page checks of the numbers Settings asks for, with the contract's limits and a message that
 * says what to type. Returns the number, or the message.
 */
export type Checked = { ok: true; value: number } | { ok: false; message: string }

export function wholeNumber(
  text: string,
  { min, max, what }: { min: number; max: number; what: string },
): Checked {
  const trimmed = text.trim()
  if (trimmed === '') return { ok: false, message: `Enter ${what}.` }
  if (!/^\d+$/.test(trimmed)) return { ok: false, message: `Use a whole number for ${what}.` }
  const value = Number(trimmed)
  if (value < min || value > max)
    return { ok: false, message: `Use ${min} to ${max.toLocaleString('en-US')} for ${what}.` }
  return { ok: true, value }
}

/** Schedule limits from the contract (schedules.set). */
export const BACKUP_MINUTES = { min: 5, max: 60 * 24 * 31 }
export const VERIFY_HOURS = { min: 1, max: 24 * 366 }
/** Retention limits from the contract (retentionPolicySchema). */
export const KEEP_COUNT = { min: 0, max: 100_000 }
export const KEEP_WITHIN_HOURS = { min: 0, max: 24 * 365 * 100 }
