import { preflightRestoreTarget, runRestore, type RestoreTarget } from '../../main/core/backup'
import { openWorkspace } from '../../main/core/repo'
import { cliIndexCache, indexCacheOption } from '../index-cache'
import type { OwnerMode } from '../../main/core/remote/restore-writer'
import { connectSsh, type SshConnection } from '../../main/core/ssh/connection'
import { formatBytes, formatDuration } from '../format'
import type { CommandContext, CommandOutput } from '../io'
import { describeEndpoint, parseEndpoint, type RepoOptions } from '../locations'
import { openCliRepository, resolveWorkspace } from '../repository'
import { sshConnectOptions, type SshFlags } from '../ssh-options'

export interface RestoreFlags extends RepoOptions, SshFlags {
  target: string
  workspace?: string
  include?: string[]
  overwrite?: boolean
  dryRun?: boolean
  owner: OwnerMode
}

const REFUSALS_SHOWN = 20

/** `cairn restore <id|latest> --target DIR|ssh://…`: all of a restore point, or --include parts. */
export async function restore(
  ctx: CommandContext,
  restorePoint: string,
  flags: RestoreFlags,
): Promise<CommandOutput> {
  const endpoint = parseEndpoint(flags.target, '--target', ctx.io.cwd)
  const opened = await openCliRepository(ctx, flags)
  const progress = ctx.progress()
  let connection: SshConnection | null = null
  try {
    const workspaceId = await resolveWorkspace(opened.repo, flags.workspace, ctx.signal)
    const workspace = await openWorkspace(opened.repo, workspaceId, { signal: ctx.signal })
    let target: RestoreTarget
    if (endpoint.kind === 'local') target = { kind: 'local', dir: endpoint.path }
    else {
      connection = await connectSsh(
        await sshConnectOptions(endpoint, flags, ctx.io.env, ctx.signal),
      )
      target = { kind: 'ssh', connection, dir: endpoint.path, owner: flags.owner }
    }
    const where = describeEndpoint(endpoint)

    if (flags.dryRun) {
      const preflight = await preflightRestoreTarget({
        workspace,
        snapshotId: restorePoint,
        include: flags.include ?? [],
        target,
        signal: ctx.signal,
      })
      const lines = [
        `Restore point ${preflight.snapshotId.slice(0, 8)} into ${where}: the target is ${preflight.targetState}.`,
      ]
      if (preflight.conflicts.length === 0 && preflight.blockedBySymlink.length === 0) {
        lines.push('Nothing there would be replaced.')
      }
      for (const c of preflight.conflicts) {
        lines.push(`  would replace ${c.path} (${c.existingType} -> ${c.entryType})`)
      }
      for (const p of preflight.blockedBySymlink) {
        lines.push(`  would refuse ${p} (a parent is a symlink at the target)`)
      }
      return {
        json: { workspaceId, target: where, dryRun: true, ...preflight },
        text: lines.join('\n'),
      }
    }

    ctx.note(`Restoring workspace ${workspaceId} (${restorePoint}) into ${where}`)
    const result = await runRestore({
      workspace,
      snapshotId: restorePoint,
      include: flags.include ?? [],
      target,
      overwrite: flags.overwrite ?? false,
      ...indexCacheOption(cliIndexCache(ctx.io.env, workspace)),
      signal: ctx.signal,
      onProgress: (p) => progress.update(p),
    })
    progress.done()
    const lines = [
      `Restored ${result.files} files, ${result.dirs} folders, ${result.symlinks} symlinks ` +
        `(${formatBytes(result.bytes)}) from restore point ${result.snapshotId.slice(0, 8)} ` +
        `into ${where} in ${formatDuration(result.durationMs / 1000)}.`,
    ]
    if (result.refused.length > 0) {
      lines.push(`${result.refused.length} entries were not written:`)
      for (const r of result.refused.slice(0, REFUSALS_SHOWN))
        lines.push(`  ${r.path}: ${r.message}`)
      if (result.refused.length > REFUSALS_SHOWN) {
        lines.push(`  … and ${result.refused.length - REFUSALS_SHOWN} more (all with --json).`)
      }
    }
    for (const w of result.warnings.slice(0, REFUSALS_SHOWN)) ctx.note(`warning: ${w}`)
    return { json: { workspaceId, target: where, ...result }, text: lines.join('\n') }
  } finally {
    progress.done()
    await connection?.close().catch(() => {})
    opened.close()
  }
}
