import { hostname } from 'node:os'
import { CairnError } from '../../shared/errors'
import { openWorkspace, pruneWorkspace } from '../../main/core/repo'
import { formatBytes } from '../format'
import { cliIndexCache } from '../index-cache'
import type { CommandContext, CommandOutput } from '../io'
import type { RepoOptions } from '../locations'
import { openCliRepository, resolveWorkspace } from '../repository'

export interface PruneFlags extends RepoOptions {
  workspace?: string
  dryRun?: boolean
  maxUnused?: string
}

/** "0.3", "30%" → 0.3. */
function parseShare(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim())
  const value = match ? Number(match[1]) / (match[2] ? 100 : 1) : NaN
  if (!(value >= 0 && value <= 1)) {
    throw new CairnError(
      'invalid_input',
      `--max-unused takes a share between 0 and 1 or a percentage, like 0.3 or 30% (not ${text}).`,
    )
  }
  return value
}

/**
 * `cairn prune`: frees what no restore point of the workspace needs (under its lease), or with
 * --dry-run lists what would be deleted and repacked.
 */
export async function prune(ctx: CommandContext, flags: PruneFlags): Promise<CommandOutput> {
  const maxUnusedShare = flags.maxUnused !== undefined ? parseShare(flags.maxUnused) : undefined
  const opened = await openCliRepository(ctx, flags)
  try {
    const workspaceId = await resolveWorkspace(opened.repo, flags.workspace, ctx.signal)
    const workspace = await openWorkspace(opened.repo, workspaceId, { signal: ctx.signal })
    const cache = cliIndexCache(ctx.io.env, workspace)
    const result = await pruneWorkspace(workspace, {
      holder: `cairn prune on ${hostname()}`,
      hostname: hostname(),
      dryRun: !!flags.dryRun,
      ...(maxUnusedShare !== undefined ? { maxUnusedShare } : {}),
      ...(cache ? { cache } : {}),
      signal: ctx.signal,
    })
    const size = (packs: readonly { size: number }[]) =>
      formatBytes(packs.reduce((n, p) => n + p.size, 0))
    const verb = result.dryRun ? 'would' : ''
    const lines = [
      `${result.restorePoints} restore points need ${result.referencedBlobs} blobs; ${result.packsBefore} packs, ${formatBytes(result.bytesBefore)}.`,
      `${result.dryRun ? 'Would delete' : 'Deleted'} ${result.removedPacks.length} unused packs (${size(result.removedPacks)}), ${verb ? 'would repack' : 'repacked'} ${result.repackedPacks.length} (${size(result.repackedPacks)}, copying ${formatBytes(result.bytesRepacked)}), ${verb ? 'would delete' : 'deleted'} ${result.unindexedPacksDeleted.length} left by interrupted backups (${size(result.unindexedPacksDeleted)}).`,
    ]
    if (result.unindexedPacksKept.length > 0)
      lines.push(
        `Kept ${result.unindexedPacksKept.length} recent packs no index lists (${size(result.unindexedPacksKept)}): a backup may still adopt them; a prune after an hour deletes them.`,
      )
    lines.push(
      result.dryRun
        ? `Dry run: about ${formatBytes(result.bytesFreed)} would be freed; nothing was changed.`
        : `Freed ${formatBytes(result.bytesFreed)}: ${result.packsAfter} packs, ${formatBytes(result.bytesAfter)} left. Requests: ${result.requests.put} PUT, ${result.requests.get} GET, ${result.requests.list} LIST, ${result.requests.delete} DELETE; ${formatBytes(result.requests.bytesDown)} down, ${formatBytes(result.requests.bytesUp)} up.`,
    )
    return { json: result, text: lines.join('\n') }
  } finally {
    opened.close()
  }
}
