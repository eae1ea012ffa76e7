/**
 * When a periodic task is due next, from times that were persisted (not from timers): a laptop
 * that slept through three slots finds one past due time on wake and runs once; after that run
 * the next slot counts from it, so missed slots never pile up.
 */
export interface DueInput {
  /** Null: the schedule is off. */
  everyMs: number | null
  /** When the scheduler last started this task for the workspace (ok or not); null if never. */
  lastRunMs: number | null
  /** Whether that run failed (then it is tried again after `retryMs`, if sooner). */
  lastFailed: boolean
  /** When the scheduler first saw the workspace: the first slot counts from here. */
  sinceMs: number
  /** The same work done outside the schedule (a manual backup): the next slot counts from it. */
  otherRunMs?: number | null
  retryMs: number
}

export function nextDueMs(input: DueInput): number | null {
  if (input.everyMs === null) return null
  const other = input.otherRunMs ?? Number.NEGATIVE_INFINITY
  if (input.lastRunMs !== null && input.lastFailed && other <= input.lastRunMs) {
    // A failed run is tried again sooner than a full interval (the server may just have rebooted).
    return input.lastRunMs + Math.min(input.everyMs, input.retryMs)
  }
  return Math.max(input.lastRunMs ?? input.sinceMs, other) + input.everyMs
}

export function isDue(input: DueInput, nowMs: number): boolean {
  const due = nextDueMs(input)
  return due !== null && nowMs >= due
}
