import { describe, expect, it } from 'vitest'
import type { RetentionPolicy } from '../../../src/shared/domain/schedules'
import {
  DEFAULT_RETENTION,
  formatDurationHours,
  mergePolicy,
  parseDurationHours,
} from '../../../src/main/core/retention/policy'
import {
  bucketOf,
  selectRetention,
  type RetentionCandidate,
} from '../../../src/main/core/retention/select'

const NONE: RetentionPolicy = {
  keepLast: 0,
  keepHourly: 0,
  keepDaily: 0,
  keepWeekly: 0,
  keepMonthly: 0,
  keepWithinHours: 0,
}

let seq = 0
function point(time: string, over: Partial<RetentionCandidate> = {}): RetentionCandidate {
  seq++
  return {
    id: seq.toString(16).padStart(64, '0'),
    time,
    trigger: 'schedule',
    tags: [],
    pinned: false,
    ...over,
  }
}

/** Kept times, newest first. */
function kept(points: RetentionCandidate[], policy: Partial<RetentionPolicy>): string[] {
  return selectRetention(points, { ...NONE, ...policy })
    .filter((d) => d.keep)
    .map((d) => d.time)
}

function reasonsOf(points: RetentionCandidate[], policy: Partial<RetentionPolicy>) {
  return Object.fromEntries(
    selectRetention(points, { ...NONE, ...policy }).map((d) => [d.time, d.reasons]),
  )
}

describe('retention selection', () => {
  it('an empty list decides nothing', () => {
    expect(selectRetention([], DEFAULT_RETENTION)).toEqual([])
  })

  it('always keeps the latest, even with a policy that keeps nothing', () => {
    const points = [point('2026-01-01T00:00:00Z'), point('2026-01-02T00:00:00Z')]
    const decisions = selectRetention(points, NONE)
    expect(decisions.map((d) => [d.time, d.keep, d.reasons])).toEqual([
      ['2026-01-02T00:00:00Z', true, ['kept: latest']],
      ['2026-01-01T00:00:00Z', false, ['removed: beyond every rule']],
    ])
  })

  it('always keeps restore points tagged stop and pinned ones, saying why', () => {
    const points = [
      point('2026-01-01T00:00:00Z', { tags: ['name:a', 'stop', 'idle'], trigger: 'stop' }),
      point('2026-01-02T00:00:00Z', { pinned: true }),
      point('2026-01-03T00:00:00Z', { tags: ['stopped'] }),
      point('2026-01-04T00:00:00Z'),
    ]
    expect(reasonsOf(points, {})).toEqual({
      '2026-01-04T00:00:00Z': ['kept: latest'],
      '2026-01-03T00:00:00Z': ['removed: beyond every rule'],
      '2026-01-02T00:00:00Z': ['kept: pinned'],
      '2026-01-01T00:00:00Z': ['kept: tagged stop'],
    })
  })

  it('keep last N keeps the N newest, numbered', () => {
    const points = ['01', '02', '03', '04', '05'].map((d) => point(`2026-01-${d}T00:00:00Z`))
    expect(reasonsOf(points, { keepLast: 3 })).toEqual({
      '2026-01-05T00:00:00Z': ['kept: latest', 'kept: last #1'],
      '2026-01-04T00:00:00Z': ['kept: last #2'],
      '2026-01-03T00:00:00Z': ['kept: last #3'],
      '2026-01-02T00:00:00Z': ['removed: beyond every rule'],
      '2026-01-01T00:00:00Z': ['removed: beyond every rule'],
    })
  })

  it('input order does not matter; equal times are ordered by id', () => {
    const a = point('2026-01-01T10:00:00Z')
    const b = point('2026-01-01T10:00:00Z')
    const c = point('2026-01-01T09:00:00Z')
    const one = selectRetention([a, b, c], { ...NONE, keepLast: 2 })
    const two = selectRetention([c, b, a], { ...NONE, keepLast: 2 })
    expect(one).toEqual(two)
    // b has the larger id: it counts as the newer of the tie.
    expect(one.map((d) => d.restorePointId)).toEqual([b.id, a.id, c.id])
    expect(one.map((d) => d.keep)).toEqual([true, true, false])
  })

  const table: Array<{
    name: string
    times: string[]
    policy: Partial<RetentionPolicy>
    kept: string[]
  }> = [
    {
      name: 'daily keeps the newest of each day, for the last N days that have one',
      times: [
        '2026-03-01T08:00:00Z',
        '2026-03-01T20:00:00Z',
        '2026-03-03T09:00:00Z',
        '2026-03-03T10:00:00Z',
        '2026-03-07T23:59:59Z',
      ],
      policy: { keepDaily: 3 },
      kept: ['2026-03-07T23:59:59Z', '2026-03-03T10:00:00Z', '2026-03-01T20:00:00Z'],
    },
    {
      name: 'hourly buckets are UTC hours',
      times: ['2026-03-29T00:10:00Z', '2026-03-29T00:50:00Z', '2026-03-29T01:05:00Z'],
      policy: { keepHourly: 5 },
      kept: ['2026-03-29T01:05:00Z', '2026-03-29T00:50:00Z'],
    },
    {
      name: 'daily buckets are UTC days, also across a European DST change (no 23- or 25-hour days)',
      times: ['2026-03-28T23:30:00Z', '2026-03-29T00:30:00Z', '2026-03-29T23:30:00Z'],
      policy: { keepDaily: 10 },
      kept: ['2026-03-29T23:30:00Z', '2026-03-28T23:30:00Z'],
    },
    {
      name: 'weekly buckets are ISO weeks (Monday to Sunday)',
      times: [
        '2026-01-04T12:00:00Z', // Sunday, week 1
        '2026-01-05T12:00:00Z', // Monday, week 2
        '2026-01-11T12:00:00Z', // Sunday, week 2
        '2026-01-12T00:00:00Z', // Monday, week 3
      ],
      policy: { keepWeekly: 3 },
      kept: ['2026-01-12T00:00:00Z', '2026-01-11T12:00:00Z', '2026-01-04T12:00:00Z'],
    },
    {
      name: 'monthly keeps the newest of each month and stops after N months',
      times: [
        '2025-11-15T00:00:00Z',
        '2025-12-01T00:00:00Z',
        '2025-12-31T23:00:00Z',
        '2026-01-10T00:00:00Z',
      ],
      policy: { keepMonthly: 2 },
      kept: ['2026-01-10T00:00:00Z', '2025-12-31T23:00:00Z'],
    },
    {
      name: 'within keeps everything up to H hours older than the newest (not than now)',
      times: ['2020-01-01T00:00:00Z', '2020-01-02T23:00:00Z', '2020-01-03T00:00:00Z'],
      policy: { keepWithinHours: 24 },
      kept: ['2020-01-03T00:00:00Z', '2020-01-02T23:00:00Z'],
    },
    {
      name: 'rules add up: a point kept by any rule stays',
      times: [
        '2026-01-01T00:00:00Z',
        '2026-01-15T00:00:00Z',
        '2026-02-01T00:00:00Z',
        '2026-02-01T01:00:00Z',
        '2026-02-01T02:00:00Z',
      ],
      policy: { keepLast: 1, keepMonthly: 2, keepDaily: 2 },
      kept: ['2026-02-01T02:00:00Z', '2026-01-15T00:00:00Z'],
    },
  ]
  for (const row of table) {
    it(row.name, () => {
      expect(
        kept(
          row.times.map((t) => point(t)),
          row.policy,
        ),
      ).toEqual(row.kept)
    })
  }

  it('every kept decision names each rule that keeps it', () => {
    const points = [
      point('2026-02-01T00:00:00Z'),
      point('2026-02-02T00:00:00Z', { tags: ['stop'] }),
      point('2026-02-03T00:00:00Z'),
    ]
    expect(reasonsOf(points, { keepLast: 2, keepDaily: 3, keepWithinHours: 24 })).toEqual({
      '2026-02-03T00:00:00Z': [
        'kept: latest',
        'kept: last #1',
        'kept: daily #1',
        'kept: within 1d of the latest',
      ],
      '2026-02-02T00:00:00Z': [
        'kept: tagged stop',
        'kept: last #2',
        'kept: daily #2',
        'kept: within 1d of the latest',
      ],
      '2026-02-01T00:00:00Z': ['kept: daily #3'],
    })
  })

  it('the defaults keep two weeks of a 2-hourly schedule thinned to daily', () => {
    const start = Date.parse('2026-01-01T00:00:00Z')
    const points = Array.from({ length: 12 * 45 }, (_, i) =>
      point(new Date(start + i * 2 * 3_600_000).toISOString()),
    )
    const decisions = selectRetention(points, DEFAULT_RETENTION)
    const keptCount = decisions.filter((d) => d.keep).length
    // 48 h of 2-hourly points (25), plus one per day for the 14 days, plus older weeks/months.
    expect(keptCount).toBeGreaterThan(30)
    expect(keptCount).toBeLessThan(60)
    // January's newest is the second month kept; the oldest (1 January) is beyond every rule.
    const endOfJanuary = decisions.find((d) => d.time === '2026-01-31T22:00:00.000Z')!
    expect(endOfJanuary.reasons).toContain('kept: monthly #2')
    expect(decisions.at(-1)!.reasons).toEqual(['removed: beyond every rule'])
  })

  it('bucketOf: ISO week years', () => {
    expect(bucketOf('weekly', Date.parse('2026-01-01T00:00:00Z'))).toBe('2026-W01')
    expect(bucketOf('weekly', Date.parse('2027-01-01T00:00:00Z'))).toBe('2026-W53')
    expect(bucketOf('weekly', Date.parse('2024-12-30T00:00:00Z'))).toBe('2025-W01')
    expect(bucketOf('hourly', Date.parse('2026-05-05T13:59:59Z'))).toBe('2026-05-05T13')
  })
})

describe('retention policy helpers', () => {
  it('parses durations', () => {
    expect(parseDurationHours('2d')).toBe(48)
    expect(parseDurationHours('36h')).toBe(36)
    expect(parseDurationHours('1w')).toBe(168)
    expect(parseDurationHours('1m')).toBe(720)
    expect(parseDurationHours('1y')).toBe(8760)
    expect(() => parseDurationHours('2 days')).toThrow(/like 2d or 36h/)
    expect(formatDurationHours(48)).toBe('2d')
    expect(formatDurationHours(36)).toBe('36h')
  })

  it('merges a partial policy over a base', () => {
    expect(mergePolicy(DEFAULT_RETENTION, { keepLast: 3 })).toEqual({
      ...DEFAULT_RETENTION,
      keepLast: 3,
    })
    expect(mergePolicy(DEFAULT_RETENTION, null)).toEqual(DEFAULT_RETENTION)
  })
})
