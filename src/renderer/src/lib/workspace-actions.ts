import type { Job } from '../../../shared/domain/jobs'
import type { WorkspaceView } from '../../../shared/domain/workspace'

/**
 * Which actions a workspace offers now and what blocks them: the list's row and the detail page
 * show the same buttons under the same rules.
 */
export function workspaceActions(ws: WorkspaceView, jobs: readonly Job[]) {
  // The running job first; a queued one (waiting behind it) only when nothing runs.
  const active =
    jobs.find((j) => j.state === 'running') ?? jobs.find((j) => j.state === 'queued') ?? null
  const latest = jobs[0] ?? null
  const failed = latest && latest.state === 'failed' && latest.error ? latest : null
  const hetzner = ws.provider === 'hetzner'
  const hasServer = ws.server !== null
  return {
    active,
    /** The newest job when it failed (its error shows until the next). */
    failed,
    hetzner,
    hasServer,
    reachable: !hetzner || (hasServer && ws.ssh !== null),
    canStop: hetzner && hasServer && (ws.state === 'running' || ws.state === 'error'),
    canStart:
      hetzner &&
      !hasServer &&
      (ws.state === 'stopped' || ws.state === 'missing' || ws.state === 'error'),
    transitional: ['creating', 'stopping', 'starting', 'deleting'].includes(ws.state),
  }
}
