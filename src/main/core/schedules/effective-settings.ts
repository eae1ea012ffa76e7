import type { ScheduleDefaults, ScheduleSettings } from '../../../shared/domain/schedules'
import { BUILT_IN_SCHEDULE_DEFAULTS, type ScheduleEntry } from './schedule-store'

/**
 * A workspace's schedule as it applies: what it set, else the defaults (the user's, from
 * schedules.json, or Cairn's own). Null means off, and an own null beats a default.
 */
export function effectiveSettings(
  workspaceId: string,
  entry: ScheduleEntry,
  defaults: ScheduleDefaults = BUILT_IN_SCHEDULE_DEFAULTS,
): ScheduleSettings {
  return {
    workspaceId,
    backupEveryMinutes:
      entry.backupEveryMinutes === undefined
        ? defaults.backupEveryMinutes
        : entry.backupEveryMinutes,
    verifyEveryHours:
      entry.verifyEveryHours === undefined ? defaults.verifyEveryHours : entry.verifyEveryHours,
    applyRetention: entry.applyRetention ?? defaults.applyRetention,
  }
}
