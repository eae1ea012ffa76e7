import { describe, expect, it } from 'vitest'
import { DEFAULT_EVIDENCE_CONFIG } from '../../../src/main/core/idle/evidence'
import { DEFAULT_POLICY, effectiveTimings } from '../../../src/main/core/idle/policy'
import { SimVm, type SimActivity } from './sim-vm'
import { random, simulate, type Run, type Scenario, type Window } from './simulate'

/*
 * Both directions, over random timelines, through the real evidence code, policy and monitor:
 *
 *   never stop work  - no person or agent left a timestamp within the timeout before the stop, no
 *                      CPU work is running at the stop, and none was measured within the timeout
 *                      (by the monitor instance that stopped: a restarted Cairn cannot know CPU use
 *                      from before it started);
 *   always stop idle - the stop comes at most timeout + 2 minutes after the last activity; when
 *                      the desktop slept, Cairn was closed or the VM unreachable around that
 *                      time, at most `minNotice` after Cairn could see the VM again.
 */

const MIN = 60_000
const HOUR = 60 * MIN
const INTERVAL = MIN

function randomScenario(seed: number): Scenario {
  const r = random(seed)
  const pick = <T>(items: readonly T[]) => items[Math.floor(r() * items.length)] as T
  const between = (a: number, b: number) => a + r() * (b - a)
  const skewMs = Math.round(between(-10 * MIN, 10 * MIN))
  const vm = new SimVm(skewMs - HOUR)
  const activities: SimActivity[] = []
  const count = Math.floor(r() * 7)
  for (let i = 0; i < count; i++) {
    const at = skewMs + Math.round(between(0, 3 * HOUR))
    const kind = pick(['typing', 'file', 'login', 'build', 'agent', 'agent-tty'] as const)
    if (kind === 'build') {
      activities.push({ kind, start: at, end: at + Math.round(between(MIN / 2, 40 * MIN)) })
    } else if (kind === 'agent' || kind === 'agent-tty') {
      const end = at + Math.round(between(MIN / 2, 40 * MIN))
      activities.push({
        kind: 'agent',
        start: at,
        end,
        tty: kind === 'agent-tty',
        ...(r() < 0.5 ? { exit: end + Math.round(between(0, 60 * MIN)) } : {}),
      })
    } else {
      // A burst of typing or saves, as people do.
      for (let k = 0; k < 1 + r() * 5; k++) {
        activities.push({ kind, at: at + Math.round(between(0, 5 * MIN)) })
      }
    }
  }
  vm.add(...activities)
  const windows = (n: number, min: number, max: number): Window[] =>
    Array.from({ length: Math.floor(r() * (n + 1)) }, () => {
      const from = Math.round(between(0, 5 * HOUR))
      return { from, to: from + Math.round(between(min, max)) }
    })
  return {
    vm,
    timeoutMinutes: pick([2, 5, 10, 30, 45]),
    skewMs,
    sleeps: merged(windows(2, MIN, 3 * HOUR)),
    restarts: windows(1, 0, 90 * MIN),
    outages: windows(2, MIN / 2, 20 * MIN),
    end: 10 * HOUR,
  }
}

/** Overlapping windows as one: a desktop that sleeps twice in a row slept once. */
function merged(windows: Window[]): Window[] {
  const out: Window[] = []
  for (const w of [...windows].sort((a, b) => a.from - b.from)) {
    const last = out.at(-1)
    if (last && w.from <= last.to) last.to = Math.max(last.to, w.to)
    else out.push({ ...w })
  }
  return out
}

/** CPU work the monitor could measure: consecutive probes of one instance, close enough. */
function measuredBusy(s: Scenario, run: Run): Array<{ at: number; instance: number }> {
  const busy: Array<{ at: number; instance: number }> = []
  for (let i = 1; i < run.probes.length; i++) {
    const a = run.probes[i - 1] as Run['probes'][number]
    const b = run.probes[i] as Run['probes'][number]
    if (a.instance !== b.instance || b.at - a.at > DEFAULT_EVIDENCE_CONFIG.maxCpuGapMs) continue
    const span = b.at - a.at
    let total = 0
    let agent = false
    for (const c of s.vm.cpuIntervals()) {
      const overlap = Math.max(0, Math.min(b.at, c.end) - Math.max(a.at, c.start))
      total += overlap * c.level
      if (c.level < 1 && (overlap * c.level) / span >= DEFAULT_EVIDENCE_CONFIG.agentBusyFraction)
        agent = true
    }
    if (agent || total / span >= DEFAULT_EVIDENCE_CONFIG.cpuBusyFraction) busy.push(b)
  }
  return busy
}

/** Agent exits the monitor could notice: the probe (of the instance that saw it alive) after. */
function noticedExits(s: Scenario, run: Run): Array<{ at: number; instance: number }> {
  const noticed: Array<{ at: number; instance: number }> = []
  for (const { start, exit } of s.vm.agentExits()) {
    const before = run.probes.filter((p) => p.at < exit).at(-1)
    const after = run.probes.find((p) => p.at >= exit)
    if (before && after && before.at >= start && before.instance === after.instance) {
      noticed.push(after)
    }
  }
  return noticed
}

function checkNeverStopsWork(s: Scenario, run: Run): string | null {
  if (run.stoppedAt === null || s.timeoutMinutes === null) return null
  const stop = run.stoppedAt + s.skewMs
  const timeout = s.timeoutMinutes * MIN
  const stamp = s.vm.stampedTimes().find((t) => t > stop - timeout && t <= stop)
  if (stamp !== undefined) return `stopped ${(stop - stamp) / 1000}s after activity at ${stamp}`
  const running = s.vm.cpuIntervals().find((c) => c.start <= stop && stop < c.end)
  if (running) return `stopped while CPU work ran (${running.start}..${running.end})`
  const last = run.probes.at(-1)
  const measured = measuredBusy(s, run).find(
    (b) => b.instance === last?.instance && b.at > stop - timeout && b.at <= stop,
  )
  if (measured) return `stopped ${(stop - measured.at) / 1000}s after CPU work was measured`
  const exit = noticedExits(s, run).find(
    (e) => e.instance === last?.instance && e.at > stop - timeout && e.at <= stop,
  )
  if (exit) return `stopped ${(stop - exit.at) / 1000}s after an agent exited`
  return null
}

/** Every stop follows a warning the user had `minNotice` to act on, with the desktop awake. */
function checkWarned(s: Scenario, run: Run): string | null {
  if (run.stoppedAt === null || s.timeoutMinutes === null) return null
  const stop = run.stoppedAt
  const timings = effectiveTimings({ ...DEFAULT_POLICY, timeoutMinutes: s.timeoutMinutes })
  const warning = run.events.filter((e) => e.event === 'idle.warning' && e.at <= stop).at(-1)
  if (!warning) return 'stopped without a warning'
  if (timings && stop - warning.at < timings.minNoticeMs) {
    return `stopped ${(stop - warning.at) / 1000}s after the warning`
  }
  const away = [...(s.sleeps ?? []), ...(s.restarts ?? [])].find(
    (w) => w.to - w.from > DEFAULT_POLICY.gapMs && w.from < stop && w.to > warning.at,
  )
  if (away)
    return `stopped after a warning given before the desktop was away (${away.from}..${away.to})`
  return null
}

function unavailable(s: Scenario): Window[] {
  return [...(s.sleeps ?? []), ...(s.restarts ?? []), ...(s.outages ?? [])]
}

function checkAlwaysStops(s: Scenario, run: Run): string | null {
  if (s.timeoutMinutes === null) return run.stoppedAt === null ? null : 'stopped with auto-stop off'
  const timings = effectiveTimings({ ...DEFAULT_POLICY, timeoutMinutes: s.timeoutMinutes })
  if (!timings) return null
  const exits = noticedExits(s, run).map((e) => e.at)
  const last = Math.max(s.vm.lastActivity(), s.skewMs, ...exits) - s.skewMs // desktop time
  // The last CPU work is seen at the probe after it ends; a terminal time may read 8 s late.
  const due = last + timings.timeoutMs + INTERVAL + 8_000
  // Cairn could not see the VM around the time the warning was due: it warns when it can again.
  let bound = due + 5_000
  for (let changed = true; changed;) {
    changed = false
    for (const w of unavailable(s)) {
      if (w.to > last && w.from < bound) {
        const back = run.probes.find((p) => p.at - s.skewMs >= w.to)
        const seen = back ? back.at - s.skewMs : w.to + INTERVAL
        const next = Math.max(bound, seen + timings.minNoticeMs + INTERVAL + 5_000)
        if (next > bound) {
          bound = next
          changed = true
        }
      }
    }
  }
  if (run.stoppedAt === null) {
    return bound <= s.end ? `never stopped (last activity ${last}, due by ${bound})` : null
  }
  if (run.stoppedAt > bound) {
    return `stopped at ${run.stoppedAt}, ${(run.stoppedAt - last) / MIN} min after the last activity (bound ${bound})`
  }
  return null
}

describe('idle auto-stop over random timelines', () => {
  it('never stops work and always stops an idle workspace (300 timelines)', async () => {
    const failures: string[] = []
    let stops = 0
    for (let seed = 1; seed <= Number(process.env.IDLE_SEEDS ?? 300); seed++) {
      const scenario = randomScenario(seed)
      const run = await simulate(scenario)
      if (run.stoppedAt !== null) stops++
      const problems = [
        checkNeverStopsWork(scenario, run),
        checkAlwaysStops(scenario, run),
        checkWarned(scenario, run),
      ]
      for (const problem of problems) {
        if (problem) failures.push(`seed ${seed}: ${problem}`)
      }
    }
    expect(failures).toEqual([])
    // The timelines end long after the last activity: nearly every one must have stopped.
    expect(stops).toBeGreaterThan(Number(process.env.IDLE_SEEDS ?? 300) * 0.95)
  }, 60_000)

  it('keeps a workspace whose agent works for hours, and stops it once the agent is done', async () => {
    const vm = new SimVm(-HOUR).add({ kind: 'agent', start: 5 * MIN, end: 4 * HOUR })
    const run = await simulate({ vm, timeoutMinutes: 30, skewMs: 0, end: 6 * HOUR })
    expect(run.stoppedAt).not.toBeNull()
    expect(run.stoppedAt).toBeGreaterThanOrEqual(4 * HOUR + 30 * MIN)
    expect(run.stoppedAt).toBeLessThanOrEqual(4 * HOUR + 32 * MIN)
  })

  it('a build that runs through a desktop sleep is not stopped on wake-up', async () => {
    const vm = new SimVm(-HOUR).add({ kind: 'build', start: 10 * MIN, end: 3 * HOUR })
    const run = await simulate({
      vm,
      timeoutMinutes: 30,
      skewMs: 0,
      sleeps: [{ from: 20 * MIN, to: 2 * HOUR }],
      end: 5 * HOUR,
    })
    expect(run.stoppedAt).toBeGreaterThanOrEqual(3 * HOUR + 30 * MIN)
    expect(run.stoppedAt).toBeLessThanOrEqual(3 * HOUR + 32 * MIN)
  })

  it('after the desktop slept through the timeout, warns on wake-up and stops 2 minutes later', async () => {
    const vm = new SimVm(-HOUR).add({ kind: 'typing', at: 5 * MIN })
    const run = await simulate({
      vm,
      timeoutMinutes: 30,
      skewMs: 3 * MIN,
      sleeps: [{ from: 10 * MIN, to: 3 * HOUR }],
      end: 5 * HOUR,
    })
    const warnings = run.events.filter((e) => e.event === 'idle.warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.at).toBe(3 * HOUR)
    expect(run.stoppedAt).toBe(3 * HOUR + 2 * MIN)
  })

  it('after a restart, CPU is measured before anything stops', async () => {
    // Typing 2 hours ago, a build still running: the first probe cannot know the CPU.
    const vm = new SimVm(-HOUR).add({ kind: 'build', start: 10 * MIN, end: 4 * HOUR })
    const run = await simulate({
      vm,
      timeoutMinutes: 30,
      skewMs: 0,
      restarts: [{ from: 15 * MIN, to: 2 * HOUR + 10 * MIN }],
      end: 6 * HOUR,
    })
    expect(run.stoppedAt).toBeGreaterThanOrEqual(4 * HOUR + 30 * MIN)
  })
})
