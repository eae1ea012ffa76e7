import { CairnError } from '../../shared/errors'
import { defaultDataDir } from '../../main/core/data-dir'
import { effectiveSettings } from '../../main/core/schedules/effective-settings'
import { scheduleDefaultsOf, ScheduleStore } from '../../main/core/schedules/schedule-store'
import { WorkspaceRegistry } from '../../main/core/workspaces/registry'
import { formatTime, table } from '../format'
import type { CommandContext, CommandOutput } from '../io'

export interface SchedulesFlags {
  dataDir?: string
}

export interface SchedulesSetFlags extends SchedulesFlags {
  workspace: string
  backupEvery?: string
  verifyEvery?: string
  retention?: string
}

/**
 * Schedules belong to the desktop app (it runs them while it runs): these commands read and change
 * the app's own `schedules.json` in its data directory. A running app sees a change at its next
 * check (within a minute). For a repository without the app, schedule `cairn backup`, `cairn
 * forget` and `cairn prune` with cron or a systemd timer instead (docs/schedules-and-retention.md).
 */
function stores(ctx: CommandContext, flags: SchedulesFlags) {
  const dataDir = flags.dataDir ?? defaultDataDir(ctx.io.env)
  return { dataDir, registry: new WorkspaceRegistry(dataDir), store: new ScheduleStore(dataDir) }
}

/** `cairn schedules`: each workspace's backup and verify schedule and their last runs. */
export async function schedules(
  ctx: CommandContext,
  flags: SchedulesFlags,
): Promise<CommandOutput> {
  const { dataDir, registry, store } = stores(ctx, flags)
  const rows = []
  const defaults = scheduleDefaultsOf(await store.defaults())
  for (const record of await registry.list()) {
    const entry = (await store.peek(record.id)) ?? { since: '', lastBackup: null, lastVerify: null }
    const settings = effectiveSettings(record.id, { lastRetention: null, ...entry }, defaults)
    rows.push({
      ...settings,
      name: record.name,
      state: record.state,
      lastScheduledBackup: entry.lastBackup,
      lastVerify: entry.lastVerify,
    })
  }
  const every = (n: number | null, unit: string) => (n === null ? 'off' : `${n}${unit}`)
  const last = (run: { at: string; ok: boolean } | null) =>
    run ? `${formatTime(run.at)} ${run.ok ? 'ok' : 'FAILED'}` : 'never'
  return {
    json: { dataDir, workspaces: rows },
    text:
      rows.length === 0
        ? `No workspaces in ${dataDir}.`
        : table([
            [
              'workspace',
              'state',
              'backup every',
              'verify every',
              'retention',
              'last backup',
              'last verify',
            ],
            ...rows.map((r) => [
              r.name,
              r.state,
              every(r.backupEveryMinutes, ' min'),
              every(r.verifyEveryHours, ' h'),
              r.applyRetention ? 'on' : 'off',
              last(r.lastScheduledBackup),
              last(r.lastVerify),
            ]),
          ]),
  }
}

/** `cairn schedules set`: change one workspace's schedule (`off`, `default`, or a duration). */
export async function schedulesSet(
  ctx: CommandContext,
  flags: SchedulesSetFlags,
): Promise<CommandOutput> {
  const { registry, store } = stores(ctx, flags)
  const record =
    (await registry.findByName(flags.workspace)) ?? (await registry.get(flags.workspace))
  if (!record) {
    throw new CairnError(
      'not_found',
      `There is no workspace ${flags.workspace}; \`cairn schedules\` lists them.`,
    )
  }
  if (!flags.backupEvery && !flags.verifyEvery && !flags.retention) {
    throw new CairnError(
      'invalid_input',
      'Say what to change: --backup-every, --verify-every or --retention.',
    )
  }
  const entry = await store.update(record.id, (e) => {
    if (flags.backupEvery)
      e.backupEveryMinutes = parseEvery(flags.backupEvery, '--backup-every', 60_000)
    if (flags.verifyEvery)
      e.verifyEveryHours = parseEvery(flags.verifyEvery, '--verify-every', 3_600_000)
    if (flags.retention) {
      if (flags.retention !== 'on' && flags.retention !== 'off') {
        throw new CairnError('invalid_input', '--retention is on or off.')
      }
      e.applyRetention = flags.retention === 'on'
    }
  })
  const settings = effectiveSettings(record.id, entry, scheduleDefaultsOf(await store.defaults()))
  return {
    json: settings,
    text:
      `${record.name}: ` +
      [
        settings.backupEveryMinutes === null
          ? 'scheduled backups off'
          : `back up every ${settings.backupEveryMinutes} min`,
        settings.verifyEveryHours === null
          ? 'scheduled verify off'
          : `verify every ${settings.verifyEveryHours} h`,
        `retention ${settings.applyRetention ? 'on' : 'off'}`,
      ].join(', ') +
      '.',
  }
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `off` (null), `default` (undefined), or `<n>m|h|d` in whole `unitMs` (minutes or hours). */
function parseEvery(value: string, flag: string, unitMs: number): number | null | undefined {
  if (value === 'off') return null
  if (value === 'default') return undefined
  const match = /^(\d{1,5})([mhd])$/.exec(value)
  const ms = match ? Number(match[1]) * UNITS[match[2]!]! : NaN
  if (
    !Number.isFinite(ms) ||
    ms <= 0 ||
    ms % unitMs !== 0 ||
    ms / unitMs < (unitMs === 60_000 ? 5 : 1)
  ) {
    throw new CairnError(
      'invalid_input',
      `${flag} takes off, default or a duration like ${unitMs === 60_000 ? '30m, 2h' : '12h, 7d'} (at least ${unitMs === 60_000 ? '5 minutes' : '1 hour'}).`,
    )
  }
  return ms / unitMs
}
