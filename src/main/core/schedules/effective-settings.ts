import type { ScheduleSettings } from '../../../shared/domain/schedules'
import {
  DEFAULT_BACKUP_EVERY_MINUTES,
  DEFAULT_VERIFY_EVERY_HOURS,
  type ScheduleEntry,
} from './schedule-store'

/** A workspace's schedule as it applies: what it set, else the defaults (null means off). */
export function effectiveSettings(workspaceId: string, entry: ScheduleEntry): ScheduleSettings {
  return {
    workspaceId,
    backupEveryMinutes:
      entry.backupEveryMinutes === undefined
        ? DEFAULT_BACKUP_EVERY_MINUTES
        : entry.backupEveryMinutes,
    verifyEveryHours:
      entry.verifyEveryHours === undefined ? DEFAULT_VERIFY_EVERY_HOURS : entry.verifyEveryHours,
    applyRetention: entry.applyRetention ?? true,
  }
}
