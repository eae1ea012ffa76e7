/**
 * Hetzner sends prices as decimal strings ("0.0067000000000000"). They are rounded here on the
 * digits themselves, half up, so a price never shifts by a float rounding step.
 */
export function roundDecimal(value: string, digits: number): string | null {
  const match = /^\s*(\d+)(?:\.(\d*))?\s*$/.exec(value)
  if (!match) return null
  const whole = match[1] ?? '0'
  const fraction = (match[2] ?? '').padEnd(digits + 1, '0')
  let scaled = BigInt(whole + fraction.slice(0, digits))
  if (Number(fraction[digits]) >= 5) scaled += 1n
  const text = scaled.toString().padStart(digits + 1, '0')
  const intPart = text.slice(0, text.length - digits)
  const fracPart = text.slice(text.length - digits)
  const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return digits > 0 ? `${grouped}.${fracPart}` : grouped
}

/** "€0.0067/h": hourly prices need four decimals, the smallest types cost under a cent. */
export function formatHourly(gross: string): string {
  const rounded = roundDecimal(gross, 4)
  return rounded === null ? '—' : `€${rounded}/h`
}

/** "€4.15/mo" */
export function formatMonthly(gross: string): string {
  const rounded = roundDecimal(gross, 2)
  return rounded === null ? '—' : `€${rounded}/mo`
}

/** For sorting only; display always goes through roundDecimal. */
export function priceValue(gross: string): number {
  const n = Number(gross)
  return Number.isFinite(n) ? n : Number.POSITIVE_INFINITY
}
