import { hostname } from 'node:os'
import { CairnError } from '../../shared/errors'
import { MemoryIndex, openWorkspace, SnapshotReader, type Workspace } from '../../main/core/repo'
import { listPins, pinRestorePoint, unpinRestorePoint } from '../../main/core/repo/workspace/pins'
import { formatTime, table } from '../format'
import type { CommandContext, CommandOutput } from '../io'
import type { RepoOptions } from '../locations'
import { openCliRepository, resolveWorkspace } from '../repository'

export interface PinFlags extends RepoOptions {
  workspace?: string
}

async function withWorkspace<T>(
  ctx: CommandContext,
  flags: PinFlags,
  use: (workspace: Workspace) => Promise<T>,
): Promise<T> {
  const opened = await openCliRepository(ctx, flags)
  try {
    const id = await resolveWorkspace(opened.repo, flags.workspace, ctx.signal)
    return await use(await openWorkspace(opened.repo, id, { signal: ctx.signal }))
  } finally {
    opened.close()
  }
}

/** `cairn pin <id>`: no retention policy removes this restore point (a pin in the repository). */
export function pin(
  ctx: CommandContext,
  restorePoint: string,
  flags: PinFlags,
): Promise<CommandOutput> {
  return withWorkspace(ctx, flags, async (workspace) => {
    const reader = new SnapshotReader(workspace, new MemoryIndex(), { signal: ctx.signal })
    const { id } = await reader.loadSnapshot(restorePoint)
    const record = await pinRestorePoint(workspace, id, {
      hostname: hostname(),
      signal: ctx.signal,
    })
    return { json: record, text: `Pinned ${id.slice(0, 8)} of ${workspace.id}.` }
  })
}

/** `cairn unpin <id>`: the restore point is subject to the retention policy again. */
export function unpin(
  ctx: CommandContext,
  restorePoint: string,
  flags: PinFlags,
): Promise<CommandOutput> {
  return withWorkspace(ctx, flags, async (workspace) => {
    const { pins, unreadable } = await listPins(workspace, ctx.signal)
    const matches = [...pins.map((p) => p.restorePointId), ...unreadable].filter((id) =>
      id.startsWith(restorePoint),
    )
    if (matches.length !== 1) {
      throw new CairnError(
        matches.length === 0 ? 'not_found' : 'invalid_input',
        matches.length === 0
          ? `No pinned restore point starts with ${restorePoint}; \`cairn pins\` lists them.`
          : `${restorePoint} matches ${matches.length} pinned restore points; give more digits.`,
      )
    }
    await unpinRestorePoint(workspace, matches[0]!, ctx.signal)
    return {
      json: { restorePointId: matches[0]! },
      text: `Unpinned ${matches[0]!.slice(0, 8)} of ${workspace.id}.`,
    }
  })
}

/** `cairn pins`: the pinned restore points of a workspace. */
export function pins(ctx: CommandContext, flags: PinFlags): Promise<CommandOutput> {
  return withWorkspace(ctx, flags, async (workspace) => {
    const listing = await listPins(workspace, ctx.signal)
    const lines: string[] = []
    if (listing.pins.length === 0 && listing.unreadable.length === 0) lines.push('No pins.')
    else if (listing.pins.length > 0) {
      lines.push(
        table([
          ['ID', 'PINNED', 'BY'],
          ...listing.pins.map((p) => [
            p.restorePointId.slice(0, 8),
            formatTime(p.pinnedAt),
            p.hostname,
          ]),
        ]).replace(/ +$/gm, ''),
      )
    }
    for (const id of listing.unreadable) {
      lines.push(`Unreadable pin of ${id.slice(0, 8)} (counts as pinned).`)
    }
    return { json: listing, text: lines.join('\n') }
  })
}
