import type { WorkspaceServer, WorkspaceState } from '../../../shared/domain/workspace'

/** How the list names each state, and the badge tone it gets. */
export const workspaceStateLabels: Record<WorkspaceState, string> = {
  creating: 'Creating',
  running: 'Running',
  stopping: 'Stopping',
  stopped: 'Stopped',
  starting: 'Starting',
  deleting: 'Deleting',
  error: 'Needs attention',
  missing: 'Server missing',
}

export type BadgeTone = 'ok' | 'busy' | 'idle' | 'error' | 'warning'

export function workspaceStateTone(state: WorkspaceState): BadgeTone {
  switch (state) {
    case 'running':
      return 'ok'
    case 'stopped':
      return 'idle'
    case 'error':
      return 'error'
    case 'missing':
      return 'warning'
    default:
      return 'busy'
  }
}

/** "€0.27", and four decimals under a cent so a fresh server does not read as free. */
export function formatEur(value: number): string {
  if (value > 0 && value < 0.01) return `€${value.toFixed(4)}`
  return `€${value.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
}

/** "just now", "12 min ago", "3 h ago", "4 days ago". */
export function formatAge(iso: string | null, now: number): string {
  if (!iso) return 'never'
  const then = Date.parse(iso)
  if (!Number.isFinite(then)) return '—'
  const minutes = Math.floor(Math.max(0, now - then) / 60_000)
  if (minutes < 1) return 'just now'
  if (minutes < 60) return `${minutes} min ago`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h ago`
  return `${Math.floor(hours / 24)} days ago`
}

/**
 * What a server has cost so far: every started hour at the hourly price, capped at the monthly
 * price (Hetzner's billing, as the core's cost.ts counts it), recomputed as the clock moves.
 */
export function runningCost(
  server: Pick<WorkspaceServer, 'createdAt' | 'priceHourly' | 'priceMonthly'>,
  now: number,
): number {
  const hourly = Number(server.priceHourly)
  const monthly = Number(server.priceMonthly)
  const created = Date.parse(server.createdAt)
  const hours = Number.isFinite(created) ? Math.max(1, Math.ceil((now - created) / 3_600_000)) : 1
  return Math.min(hours * hourly, monthly)
}

/** "42%" of a job's bytes or files when a total is known, else null. */
export function jobFraction(job: {
  bytesDone: number
  bytesTotal: number | null
  filesDone: number
  filesTotal: number | null
}): number | null {
  if (job.bytesTotal) return Math.min(1, job.bytesDone / job.bytesTotal)
  if (job.filesTotal) return Math.min(1, job.filesDone / job.filesTotal)
  return null
}
