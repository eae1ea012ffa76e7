import { hostname } from 'node:os'
import type { RetentionPolicy } from '../../shared/domain/schedules'
import { CairnError } from '../../shared/errors'
import { openWorkspace } from '../../main/core/repo'
import { applyRetention } from '../../main/core/retention/apply-retention'
import { DEFAULT_RETENTION, parseDurationHours } from '../../main/core/retention/policy'
import { formatTime, table } from '../format'
import type { CommandContext, CommandOutput } from '../io'
import type { RepoOptions } from '../locations'
import { openCliRepository, resolveWorkspace } from '../repository'

export interface ForgetFlags extends RepoOptions {
  workspace?: string
  keepLast?: string
  keepHourly?: string
  keepDaily?: string
  keepWeekly?: string
  keepMonthly?: string
  keepWithin?: string
  dryRun?: boolean
}

const COUNT_FLAGS = [
  ['keepLast', '--keep-last'],
  ['keepHourly', '--keep-hourly'],
  ['keepDaily', '--keep-daily'],
  ['keepWeekly', '--keep-weekly'],
  ['keepMonthly', '--keep-monthly'],
] as const

/**
 * The policy from the flags: none given means Cairn's defaults; any given means exactly those
 * rules (the others keep nothing), as restic does. Stop-tagged, pinned and the latest restore
 * point are kept either way.
 */
export function policyFromFlags(flags: ForgetFlags): RetentionPolicy {
  const given = COUNT_FLAGS.some(([k]) => flags[k] !== undefined) || flags.keepWithin !== undefined
  if (!given) return { ...DEFAULT_RETENTION }
  const policy: RetentionPolicy = {
    keepLast: 0,
    keepHourly: 0,
    keepDaily: 0,
    keepWeekly: 0,
    keepMonthly: 0,
    keepWithinHours: 0,
  }
  for (const [key, flag] of COUNT_FLAGS) {
    const text = flags[key]
    if (text === undefined) continue
    if (!/^\d{1,6}$/.test(text)) {
      throw new CairnError('invalid_input', `${flag} takes a whole number, like 7 (not ${text}).`)
    }
    policy[key] = Number(text)
  }
  if (flags.keepWithin !== undefined) policy.keepWithinHours = parseDurationHours(flags.keepWithin)
  return policy
}

/**
 * `cairn forget`: applies a retention policy to one workspace's restore points (under its lease,
 * so never while a backup writes), or with --dry-run shows what would go and why.
 */
export async function forget(ctx: CommandContext, flags: ForgetFlags): Promise<CommandOutput> {
  const policy = policyFromFlags(flags)
  const opened = await openCliRepository(ctx, flags)
  try {
    const workspaceId = await resolveWorkspace(opened.repo, flags.workspace, ctx.signal)
    const workspace = await openWorkspace(opened.repo, workspaceId, { signal: ctx.signal })
    const result = await applyRetention(workspace, {
      policy,
      dryRun: !!flags.dryRun,
      holder: `cairn forget on ${hostname()}`,
      signal: ctx.signal,
    })
    const lines: string[] = []
    if (result.decisions.length === 0) lines.push('No restore points.')
    else {
      lines.push(
        table([
          ['ID', 'TIME', 'TRIGGER', 'DECISION', 'REASONS'],
          ...result.decisions.map((d) => [
            d.restorePointId.slice(0, 8),
            formatTime(d.time),
            d.trigger,
            d.keep ? 'keep' : flags.dryRun ? 'would remove' : 'removed',
            d.reasons.map((r) => r.replace(/^(kept|removed): /, '')).join('; '),
          ]),
        ]).replace(/ +$/gm, ''),
      )
    }
    lines.push(
      flags.dryRun
        ? `Dry run: ${result.removed} of ${result.decisions.length} restore points would be removed; nothing was changed.`
        : `Removed ${result.removed} of ${result.decisions.length} restore points; kept ${result.kept}.`,
    )
    if (result.removed > 0) lines.push(result.note)
    return { json: result, text: lines.join('\n') }
  } finally {
    opened.close()
  }
}
