import { describe, expect, it } from 'vitest'
import type { Signal } from '../../../src/main/core/idle/evidence'
import {
  DEFAULT_POLICY,
  decide,
  type PolicyInput,
  type Warning,
} from '../../../src/main/core/idle/policy'
import { random } from './simulate'

const MIN = 60_000
const NOW = Date.UTC(2030, 5, 1, 12)

function input(overrides: Partial<PolicyInput> & { idleMinutes?: number }): PolicyInput {
  const { idleMinutes, ...rest } = overrides
  const latest: Signal | null =
    idleMinutes === undefined
      ? null
      : { kind: 'terminal', at: NOW - idleMinutes * MIN, detail: 'input on /dev/pts/0 (bash)' }
  return {
    now: NOW,
    config: { ...DEFAULT_POLICY, timeoutMinutes: 30 },
    latest,
    cpuKnown: true,
    previousProbeAt: NOW - MIN,
    warning: null,
    postponedUntil: null,
    pausedUntil: null,
    ...rest,
  }
}

const warned = (minutesAgo: number, stopInMinutes: number): Warning => ({
  issuedAt: NOW - minutesAgo * MIN,
  stopAt: NOW + stopInMinutes * MIN,
})

describe('idle policy', () => {
  const table: Array<[string, Partial<PolicyInput> & { idleMinutes?: number }, object]> = [
    ['activity a moment ago', { idleMinutes: 0 }, { state: 'active' }],
    ['activity 1 minute ago', { idleMinutes: 1 }, { state: 'active' }],
    ['idle 3 minutes', { idleMinutes: 3 }, { state: 'idle', stopAt: NOW + 27 * MIN }],
    ['idle 24 minutes', { idleMinutes: 24 }, { state: 'idle', stopAt: NOW + 6 * MIN }],
    [
      'idle 25 minutes: warn, stop in 5',
      { idleMinutes: 25 },
      { state: 'warn', stopAt: NOW + 5 * MIN, warning: { issuedAt: NOW, stopAt: NOW + 5 * MIN } },
    ],
    [
      'idle 29 minutes with no warning yet: the user still gets 2 minutes',
      { idleMinutes: 29 },
      { state: 'warn', stopAt: NOW + 2 * MIN },
    ],
    [
      'idle 2 hours on the first probe (desktop slept): warn now, stop in 2 minutes',
      { idleMinutes: 120, previousProbeAt: null },
      { state: 'warn', stopAt: NOW + 2 * MIN, since: NOW - 120 * MIN },
    ],
    [
      'idle 30 minutes after a 5-minute warning: stop',
      { idleMinutes: 30, warning: warned(5, 0) },
      { state: 'stop' },
    ],
    [
      'idle 31 minutes, warned 2 minutes ago for now: stop',
      { idleMinutes: 31, warning: warned(2, 0) },
      { state: 'stop' },
    ],
    [
      'a warning never moves earlier',
      { idleMinutes: 31, warning: warned(1, 1) },
      { state: 'warn', stopAt: NOW + MIN },
    ],
    [
      'stop due but CPU unknown: keep warning, wait for a reading',
      { idleMinutes: 40, warning: warned(3, -1), cpuKnown: false },
      { state: 'warn', waitingFor: 'cpu' },
    ],
    [
      'a warning from before a gap in the probes is void',
      { idleMinutes: 40, warning: warned(10, -5), previousProbeAt: NOW - 10 * MIN },
      { state: 'warn', stopAt: NOW + 2 * MIN, warning: { issuedAt: NOW, stopAt: NOW + 2 * MIN } },
    ],
    [
      'activity during the warning clears it',
      { idleMinutes: 0, warning: warned(3, 2) },
      { state: 'active', warning: null },
    ],
    [
      'postponed: no warning until 5 minutes before the new time',
      { idleMinutes: 28, postponedUntil: NOW + 30 * MIN, warning: warned(3, 2) },
      { state: 'idle', stopAt: NOW + 30 * MIN, warning: null },
    ],
    [
      'postponed by a little: the warning stands, its stop moves',
      { idleMinutes: 29, postponedUntil: NOW + 4 * MIN, warning: warned(4, 1) },
      { state: 'warn', stopAt: NOW + 4 * MIN },
    ],
    [
      'postponement over: stop',
      { idleMinutes: 90, postponedUntil: NOW - MIN, warning: warned(6, -1) },
      { state: 'stop' },
    ],
    [
      'auto-stop off',
      { idleMinutes: 500, config: { ...DEFAULT_POLICY, timeoutMinutes: null } },
      { state: 'disabled', reason: 'off' },
    ],
    [
      'paused for everyone',
      { idleMinutes: 500, pausedUntil: NOW + 10 * MIN, warning: warned(1, 1) },
      { state: 'disabled', reason: 'paused', until: NOW + 10 * MIN, warning: null },
    ],
    [
      'pause over: warn again with notice',
      { idleMinutes: 500, pausedUntil: NOW - 1 },
      { state: 'warn', stopAt: NOW + 2 * MIN },
    ],
    ['no evidence at all: the idle clock starts now', {}, { state: 'active', since: NOW }],
    [
      'evidence from the future (clock jumped back) counts as now',
      { latest: { kind: 'files', at: NOW + 60 * MIN, detail: 'x' } },
      { state: 'active', since: NOW },
    ],
    [
      'a 2-minute timeout warns after 1 minute and gives 1 minute',
      { idleMinutes: 1, config: { ...DEFAULT_POLICY, timeoutMinutes: 2 } },
      { state: 'warn', stopAt: NOW + MIN },
    ],
  ]
  for (const [name, given, expected] of table) {
    it(name, () => {
      expect(decide(input(given))).toMatchObject(expected)
    })
  }

  it('names the last activity in its decision', () => {
    const decision = decide(input({ idleMinutes: 26 }))
    expect(decision).toMatchObject({
      state: 'warn',
      lastActivity: { kind: 'terminal', detail: 'input on /dev/pts/0 (bash)' },
    })
  })

  it('over random inputs: never stops within the timeout, never without notice or CPU', () => {
    const r = random(7)
    for (let i = 0; i < 20_000; i++) {
      const timeoutMinutes = [2, 5, 30, 90][Math.floor(r() * 4)] as number
      const idle = r() * 3 * timeoutMinutes * MIN
      // Warnings as the policy gives them: at least the notice before their stop.
      const notice = Math.min(DEFAULT_POLICY.minNoticeMs, timeoutMinutes * 30_000)
      const issuedAt = NOW - r() * 10 * MIN
      const warning = r() < 0.5 ? null : { issuedAt, stopAt: issuedAt + notice + r() * 5 * MIN }
      const given: PolicyInput = {
        now: NOW,
        config: { ...DEFAULT_POLICY, timeoutMinutes },
        latest: { kind: 'cpu', at: NOW - idle, detail: 'x' },
        cpuKnown: r() < 0.8,
        previousProbeAt: r() < 0.1 ? null : NOW - r() * 5 * MIN,
        warning,
        postponedUntil: r() < 0.2 ? NOW + (r() - 0.5) * 60 * MIN : null,
        pausedUntil: r() < 0.1 ? NOW + (r() - 0.5) * 60 * MIN : null,
      }
      const d = decide(given)
      if (d.state !== 'stop') continue
      expect(idle).toBeGreaterThanOrEqual(timeoutMinutes * MIN)
      expect(given.cpuKnown).toBe(true)
      expect(given.previousProbeAt).not.toBeNull()
      expect(warning).not.toBeNull()
      expect(NOW - (warning as Warning).issuedAt).toBeGreaterThanOrEqual(notice)
      if (given.postponedUntil !== null) expect(given.postponedUntil).toBeLessThanOrEqual(NOW)
      if (given.pausedUntil !== null) expect(given.pausedUntil).toBeLessThanOrEqual(NOW)
    }
  })
})
