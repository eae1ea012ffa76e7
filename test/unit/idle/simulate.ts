import { CairnError } from '../../../src/shared/errors'
import type { EventName, EventPayload } from '../../../src/shared/contract'
import { ManualClock } from '../../../src/main/core/idle/clock'
import { IdleMonitor, type IdleMonitorOptions } from '../../../src/main/core/idle/idle-monitor'
import type { IdleProbe } from '../../../src/main/core/idle/idle-probe'
import type { SimVm } from './sim-vm'

export interface Window {
  from: number
  to: number
}

export interface Scenario {
  vm: SimVm
  timeoutMinutes: number | null
  /** VM clock minus desktop clock. */
  skewMs: number
  /** The desktop is asleep (no timers run). Desktop times. */
  sleeps?: Window[]
  /** Cairn quits at `from` and starts again at `to` (a fresh monitor). */
  restarts?: Window[]
  /** The VM cannot be reached (probes fail). Desktop times. */
  outages?: Window[]
  /** Desktop time the simulation ends. */
  end: number
  monitor?: Partial<IdleMonitorOptions>
}

export interface Run {
  /** Desktop time stopWorkspace was called, or null. */
  stoppedAt: number | null
  /** VM times of successful probes, with the monitor instance that made them. */
  probes: Array<{ at: number; instance: number }>
  events: Array<{ at: number; event: EventName; payload: unknown }>
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Runs the real IdleMonitor against a simulated VM on a manual clock. */
export async function simulate(s: Scenario): Promise<Run> {
  const clock = new ManualClock(0)
  const run: Run = { stoppedAt: null, probes: [], events: [] }
  let instance = 0
  const inside = (windows: Window[] | undefined, t: number) =>
    (windows ?? []).find((w) => t >= w.from && t < w.to)
  const probe: IdleProbe = {
    run: async (lookback) => {
      const now = clock.now()
      if (inside(s.outages, now)) throw new CairnError('unreachable', 'The VM did not answer.')
      const sample = s.vm.sample(now + s.skewMs, lookback)
      run.probes.push({ at: sample.now, instance })
      return sample
    },
    close: async () => {},
  }
  const events = {
    emit<E extends EventName>(event: E, payload: EventPayload<E>) {
      run.events.push({ at: clock.now(), event, payload })
    },
  }
  const start = () => {
    instance++
    const monitor = new IdleMonitor({
      events,
      clock,
      stopWorkspace: async () => {
        run.stoppedAt ??= clock.now()
      },
      ...s.monitor,
    })
    monitor.watch('ws', { probe, timeoutMinutes: s.timeoutMinutes, startedAt: 0 })
    return monitor
  }
  let monitor = start()
  const restarts = [...(s.restarts ?? [])].sort((a, b) => a.from - b.from)
  await flush()
  while (run.stoppedAt === null && clock.now() < s.end) {
    const next = clock.nextTimerAt()
    const restart = restarts[0]
    if (restart && (next === null || restart.from <= next)) {
      restarts.shift()
      clock.advanceTo(restart.from)
      await flush()
      await monitor.dispose()
      clock.sleepUntil(restart.to)
      monitor = start()
      await flush()
      continue
    }
    if (next === null) break
    const sleep = inside(s.sleeps, next)
    if (sleep) clock.sleepUntil(sleep.to)
    else clock.advanceTo(next)
    await flush()
    await flush()
  }
  await monitor.dispose()
  return run
}

/** A small deterministic PRNG (mulberry32) so a failing case can be replayed from its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
