import { describe, expect, it } from 'vitest'
import { costOf } from '../../../src/main/core/workspaces/cost'

const HOUR = 3_600_000
const created = Date.parse('2026-03-01T10:00:00.000Z')
const server = {
  createdAt: new Date(created).toISOString(),
  priceHourly: '0.0071',
  priceMonthly: '4.5100',
}

describe('costOf', () => {
  it('bills every started hour at the hourly price', () => {
    expect(costOf(server, created).runningEur).toBeCloseTo(0.0071, 6)
    expect(costOf(server, created + 1).runningEur).toBeCloseTo(0.0071, 6)
    expect(costOf(server, created + HOUR).runningEur).toBeCloseTo(0.0071, 6)
    expect(costOf(server, created + HOUR + 1).runningEur).toBeCloseTo(0.0142, 6)
    expect(costOf(server, created + 10 * HOUR - 1).runningEur).toBeCloseTo(0.071, 6)
  })

  it('never exceeds the monthly price', () => {
    expect(costOf(server, created + 2000 * HOUR).runningEur).toBe(4.51)
    const hoursToCap = Math.ceil(4.51 / 0.0071)
    expect(costOf(server, created + (hoursToCap - 1) * HOUR).runningEur).toBeLessThan(4.51)
    expect(costOf(server, created + hoursToCap * HOUR).runningEur).toBe(4.51)
  })

  it('reports the hourly and monthly prices as numbers', () => {
    expect(costOf(server, created)).toMatchObject({ hourlyEur: 0.0071, monthlyEur: 4.51 })
  })

  it('counts one hour for a server created in the future (clock skew) or with a bad date', () => {
    expect(costOf(server, created - HOUR).runningEur).toBeCloseTo(0.0071, 6)
    expect(costOf({ ...server, createdAt: 'soon' }, created).runningEur).toBeCloseTo(0.0071, 6)
  })
})
