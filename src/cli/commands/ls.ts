import type { BrowseEntry } from '../../shared/domain/backup'
import { browse } from '../../main/core/backup'
import { openSnapshotReader, openWorkspace } from '../../main/core/repo'
import { formatMode, formatTime, table } from '../format'
import type { CommandContext, CommandOutput } from '../io'
import type { RepoOptions } from '../locations'
import { openCliRepository, resolveWorkspace } from '../repository'

export interface LsFlags extends RepoOptions {
  workspace?: string
  long?: boolean
  recursive?: boolean
}

/**
 * `cairn ls <restore point> [path]`: a folder of a restore point, without restoring it. With
 * --recursive, everything below it; names are then paths relative to the listed folder.
 */
export async function ls(
  ctx: CommandContext,
  restorePoint: string,
  path: string | undefined,
  flags: LsFlags,
): Promise<CommandOutput> {
  const opened = await openCliRepository(ctx, flags)
  try {
    const workspaceId = await resolveWorkspace(opened.repo, flags.workspace, ctx.signal)
    const workspace = await openWorkspace(opened.repo, workspaceId, { signal: ctx.signal })
    const reader = await openSnapshotReader(workspace, { signal: ctx.signal })
    const top = await browse({
      reader,
      snapshotId: restorePoint,
      path: path ?? '',
      signal: ctx.signal,
    })
    const snapshotId = top.snapshot.id
    let entries: BrowseEntry[] = top.entries
    if (flags.recursive) {
      entries = []
      const walk = async (dir: string, listed: BrowseEntry[]) => {
        for (const entry of listed) {
          const rel = dir ? `${dir}/${entry.name}` : entry.name
          entries.push({ ...entry, name: rel })
          if (entry.type === 'dir') {
            const below = await browse({
              reader,
              snapshotId,
              path: top.path ? `${top.path}/${rel}` : rel,
              signal: ctx.signal,
            })
            await walk(rel, below.entries)
          }
        }
      }
      await walk('', top.entries)
    }
    const json = {
      workspaceId,
      restorePointId: snapshotId,
      path: top.path,
      self: top.self,
      entries,
    }
    const shown = entries.length === 0 && top.self && top.self.type !== 'dir' ? [top.self] : entries
    const name = (e: BrowseEntry) =>
      `${e.name}${e.type === 'dir' ? '/' : ''}${e.target !== null ? ` -> ${e.target}` : ''}`
    const text = flags.long
      ? table(
          shown.map((e) => [
            formatMode(e.type, e.mode),
            e.user ?? String(e.uid),
            e.group ?? String(e.gid),
            String(e.size),
            formatTime(e.mtime),
            name(e) + (e.changedWhileReading ? '  (changed while read)' : ''),
          ]),
          [3],
        )
      : shown.map(name).join('\n')
    return { json, text }
  } finally {
    opened.close()
  }
}
