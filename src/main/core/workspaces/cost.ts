import type { WorkspaceServer } from '../../../shared/domain/workspace'

export interface Cost {
  runningEur: number
  monthlyEur: number
  hourlyEur: number
}

const HOUR_MS = 3_600_000

/**
 * What a server has cost since Hetzner created it: every started hour at the hourly price, never
 * more than the monthly price (Hetzner's cap). Gross prices, as the user pays them. Rounded to
 * cents only for display; kept exact enough here to add up many workspaces.
 */
export function costOf(
  server: Pick<WorkspaceServer, 'createdAt' | 'priceHourly' | 'priceMonthly'>,
  now = Date.now(),
): Cost {
  const hourly = Number(server.priceHourly)
  const monthly = Number(server.priceMonthly)
  const created = Date.parse(server.createdAt)
  const hours = Number.isFinite(created) ? Math.max(1, Math.ceil((now - created) / HOUR_MS)) : 1
  const running = Math.min(hours * hourly, monthly)
  return {
    runningEur: Math.round(running * 10_000) / 10_000,
    monthlyEur: monthly,
    hourlyEur: hourly,
  }
}
