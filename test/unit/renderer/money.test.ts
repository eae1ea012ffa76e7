import { describe, expect, it } from 'vitest'
import { formatHourly, formatMonthly, roundDecimal } from '../../../src/renderer/src/lib/money'

describe('price formatting', () => {
  it('formats Hetzner gross prices as the UI shows them', () => {
    expect(formatHourly('0.0067000000000000')).toBe('€0.0067/h')
    expect(formatMonthly('4.1500000000000000')).toBe('€4.15/mo')
  })

  it('rounds half up on the decimal digits, without float drift', () => {
    expect(roundDecimal('1.005', 2)).toBe('1.01')
    expect(roundDecimal('0.00665', 4)).toBe('0.0067')
    expect(roundDecimal('0.00664999', 4)).toBe('0.0066')
    expect(roundDecimal('9.995', 2)).toBe('10.00')
    expect(roundDecimal('3', 2)).toBe('3.00')
  })

  it('groups thousands', () => {
    expect(formatMonthly('1234.5')).toBe('€1,234.50/mo')
  })

  it('shows a dash for a price that is not a number', () => {
    expect(formatHourly('n/a')).toBe('—')
    expect(formatMonthly('-1')).toBe('—')
  })
})
