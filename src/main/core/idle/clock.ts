/** Time and timers, injectable so tests can jump the desktop's clock. */
export interface Clock {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms)
    // Idle checks never keep a process (a test, the CLI) alive on their own.
    handle.unref?.()
    return handle
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * A clock that only moves when told to. `advance` runs due timers in time order; the callbacks'
 * promises are not awaited (callers wait on what they care about).
 */
export class ManualClock implements Clock {
  private time: number
  private nextId = 1
  private readonly timers = new Map<number, { at: number; callback: () => void }>()

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.time = start
  }

  now(): number {
    return this.time
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number)
  }

  /** When the next timer is due, or null. */
  nextTimerAt(): number | null {
    let next: number | null = null
    for (const t of this.timers.values()) if (next === null || t.at < next) next = t.at
    return next
  }

  pendingTimers(): number {
    return this.timers.size
  }

  /** Moves the clock forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.time + ms)
  }

  /**
   * The machine slept until `target`: time jumps there first, then every overdue timer fires (late,
   * at `target`), as Node's timers do after a suspend.
   */
  sleepUntil(target: number): void {
    this.time = Math.max(this.time, target)
    this.advanceTo(target)
  }

  advanceTo(target: number): void {
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined
      for (const entry of this.timers) {
        if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry
      }
      if (!due) break
      this.timers.delete(due[0])
      this.time = Math.max(this.time, due[1].at)
      due[1].callback()
    }
    this.time = Math.max(this.time, target)
  }
}
