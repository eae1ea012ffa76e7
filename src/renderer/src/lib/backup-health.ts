import type { WorkspaceState } from '../../../shared/domain/workspace'

/** How safe a workspace's newest restore point leaves it; see docs/ui.md (Workspaces). */
export type BackupHealth = 'fresh' | 'aging' | 'stale' | 'failed' | 'none'

/** The schedules' default: a running workspace is backed up every 2 hours. */
export const DEFAULT_BACKUP_EVERY_MINUTES = 120
/** With scheduled backups off, a day without one is still worth a mark. */
export const UNSCHEDULED_EVERY_MINUTES = 24 * 60

export interface BackupHealthInput {
  state: WorkspaceState
  /** The newest restore point's time (ISO), or null. */
  lastBackupAt: string | null
  /** When the newest backup attempt (a backup or stop job, or a scheduled run) failed, if it did. */
  lastFailureAt: string | null
  /**
   * Minutes between scheduled backups: a number, null when the schedule is off, undefined when
   * the schedule is not known (the default applies).
   */
  backupEveryMinutes: number | null | undefined
  now: number
}

/**
 * fresh: within 1.5 schedule intervals; aging: up to 3; stale: older (or none while running for
 * longer than an interval). A failed attempt newer than the newest restore point is `failed`,
 * whatever the age. A stopped workspace changes nothing, so its stop backup stays fresh.
 */
export function backupHealth(input: BackupHealthInput): BackupHealth {
  const last = input.lastBackupAt ? Date.parse(input.lastBackupAt) : NaN
  const failed = input.lastFailureAt ? Date.parse(input.lastFailureAt) : NaN
  if (Number.isFinite(failed) && (!Number.isFinite(last) || failed > last)) return 'failed'
  if (!Number.isFinite(last)) return 'none'
  if (input.state === 'stopped') return 'fresh'
  const every =
    input.backupEveryMinutes === undefined
      ? DEFAULT_BACKUP_EVERY_MINUTES
      : (input.backupEveryMinutes ?? UNSCHEDULED_EVERY_MINUTES)
  const ageMinutes = Math.max(0, input.now - last) / 60_000
  if (ageMinutes <= every * 1.5) return 'fresh'
  if (ageMinutes <= every * 3) return 'aging'
  return 'stale'
}

export const backupHealthLabels: Record<BackupHealth, string> = {
  fresh: 'Fresh',
  aging: 'Aging',
  stale: 'Stale',
  failed: 'Failed',
  none: 'No backup',
}
