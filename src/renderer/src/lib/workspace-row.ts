import type { Job } from '../../../shared/domain/jobs'
import type { ScheduleStatus } from '../../../shared/domain/schedules'
import type { WorkspaceState, WorkspaceView } from '../../../shared/domain/workspace'
import { backupHealth, type BackupHealth } from './backup-health'
import { workspaceStateLabels } from './workspace-format'

/** The state a list row shows: the workspace's, or "backing up" while a backup job of it runs. */
export type RowState = WorkspaceState | 'backing-up'

export function rowStateLabel(state: RowState): string {
  return state === 'backing-up' ? 'Backing up' : workspaceStateLabels[state]
}

/** `jobs` are this workspace's, newest first. */
export function rowStateOf(ws: WorkspaceView, jobs: readonly Job[]): RowState {
  if (ws.state !== 'running') return ws.state
  const backingUp = jobs.some((j) => j.kind === 'backup' && j.state === 'running')
  return backingUp ? 'backing-up' : 'running'
}

/** Jobs that write a restore point of the workspace: their failure makes its backups `failed`. */
const backupKinds = new Set<Job['kind']>(['backup', 'stop'])

/** The newest failed backup attempt, from the jobs Cairn knows and the scheduled runs. */
export function lastBackupFailure(
  jobs: readonly Job[],
  schedule: ScheduleStatus | undefined,
): string | null {
  let latest: string | null = null
  for (const job of jobs) {
    if (!backupKinds.has(job.kind)) continue
    // Newest first: the newest finished backup job decides.
    if (job.state === 'succeeded') break
    if (job.state === 'failed') {
      latest = job.finishedAt ?? job.createdAt
      break
    }
  }
  const run = schedule?.backup.last
  if (run && !run.ok && (!latest || run.at > latest)) latest = run.at
  return latest
}

export function rowHealth(
  ws: WorkspaceView,
  jobs: readonly Job[],
  schedule: ScheduleStatus | undefined,
  now: number,
): BackupHealth {
  return backupHealth({
    state: ws.state,
    lastBackupAt: ws.lastBackup?.time ?? null,
    lastFailureAt: lastBackupFailure(jobs, schedule),
    backupEveryMinutes: schedule ? schedule.settings.backupEveryMinutes : undefined,
    now,
  })
}
