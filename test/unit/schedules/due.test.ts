import { describe, expect, it } from 'vitest'
import { isDue, nextDueMs, type DueInput } from '../../../src/main/core/schedules/due'

const H = 3_600_000
const base: DueInput = {
  everyMs: 2 * H,
  lastRunMs: null,
  lastFailed: false,
  sinceMs: 0,
  otherRunMs: null,
  retryMs: H / 4,
}

describe('due times', () => {
  it('the first slot counts from when the scheduler first saw the workspace', () => {
    expect(nextDueMs(base)).toBe(2 * H)
    expect(isDue(base, 2 * H - 1)).toBe(false)
    expect(isDue(base, 2 * H)).toBe(true)
  })

  it('off is never due', () => {
    expect(nextDueMs({ ...base, everyMs: null })).toBeNull()
    expect(isDue({ ...base, everyMs: null }, 1e15)).toBe(false)
  })

  it('missed slots (asleep for 10 hours) run once: after that run the next slot counts from it', () => {
    const last = { ...base, lastRunMs: 0 }
    const wake = 10 * H
    expect(isDue(last, wake)).toBe(true) // overdue: once
    const afterRun = { ...last, lastRunMs: wake }
    expect(nextDueMs(afterRun)).toBe(12 * H) // not 4, 6, 8 hours: those slots are gone
    expect(isDue(afterRun, wake + 1)).toBe(false)
  })

  it('an interval change applies from the last run', () => {
    const ran = { ...base, lastRunMs: 5 * H }
    expect(nextDueMs({ ...ran, everyMs: 6 * H })).toBe(11 * H)
    expect(nextDueMs({ ...ran, everyMs: H })).toBe(6 * H)
  })

  it('another backup (Back up now, a stop) pushes the next scheduled one out', () => {
    expect(nextDueMs({ ...base, lastRunMs: H, otherRunMs: 2 * H })).toBe(4 * H)
    // An older one changes nothing.
    expect(nextDueMs({ ...base, lastRunMs: H, otherRunMs: 0 })).toBe(3 * H)
  })

  it('a failed run is retried sooner, unless a backup succeeded since', () => {
    const failed = { ...base, lastRunMs: H, lastFailed: true }
    expect(nextDueMs(failed)).toBe(H + H / 4)
    expect(nextDueMs({ ...failed, otherRunMs: H + 60_000 })).toBe(H + 60_000 + 2 * H)
    // The retry is never later than a full interval.
    expect(nextDueMs({ ...failed, everyMs: H / 10 })).toBe(H + H / 10)
  })
})
