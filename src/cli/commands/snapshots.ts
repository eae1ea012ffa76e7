import { listRestorePoints } from '../../main/core/api/handlers/restore-points-view'
import { formatBytes, formatTime, table } from '../format'
import type { CommandContext, CommandOutput } from '../io'
import type { RepoOptions } from '../locations'
import { openCliRepository } from '../repository'
import { assertWorkspaceId } from '../../main/core/repo/layout'

export interface SnapshotsFlags extends RepoOptions {
  workspace?: string
}

/** `cairn snapshots`: restore points of one workspace, or of all; oldest first. */
export async function snapshots(
  ctx: CommandContext,
  flags: SnapshotsFlags,
): Promise<CommandOutput> {
  if (flags.workspace !== undefined) assertWorkspaceId(flags.workspace)
  const opened = await openCliRepository(ctx, flags)
  try {
    const list = await listRestorePoints(
      opened.repo,
      flags.workspace === undefined ? null : [flags.workspace],
      ctx.signal,
    )
    const lines: string[] = []
    if (list.restorePoints.length === 0) lines.push('No restore points.')
    else {
      lines.push(
        table(
          [
            ['ID', 'TIME', 'WORKSPACE', 'TRIGGER', 'FILES', 'SIZE', 'ADDED', 'NOTES'],
            ...list.restorePoints.map((p) => [
              p.id.slice(0, 8),
              formatTime(p.time),
              p.workspaceId,
              p.trigger,
              String(p.files),
              formatBytes(p.size),
              formatBytes(p.uploadedBytes),
              [
                p.changedWhileReading > 0 ? `${p.changedWhileReading} changed while read` : '',
                p.tags.length ? `tags: ${p.tags.join(',')}` : '',
              ]
                .filter(Boolean)
                .join('; '),
            ]),
          ],
          [4, 5, 6],
        ).replace(/ +$/gm, ''),
      )
    }
    for (const d of list.damaged) {
      lines.push(`DAMAGED restore point ${d.id.slice(0, 8)} of ${d.workspaceId}: ${d.message}`)
    }
    return { json: list, text: lines.join('\n') }
  } finally {
    opened.close()
  }
}
