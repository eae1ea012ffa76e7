import { version } from '../../../package.json'
import {
  connectSshSource,
  localSource,
  runBackup,
  type BackupWarning,
  type ChangeDetection,
  type Source,
} from '../../main/core/backup'
import { openWorkspace, type SnapshotTrigger } from '../../main/core/repo'
import { toRestorePoint } from '../../main/core/api/handlers/restore-points-view'
import { formatBytes, formatDuration } from '../format'
import { cliIndexCache, indexCacheOption } from '../index-cache'
import type { CommandContext, CommandOutput } from '../io'
import { describeEndpoint, parseEndpoint, type RepoOptions } from '../locations'
import { deriveWorkspaceId, openCliRepository } from '../repository'
import { sshConnectOptions, type SshFlags } from '../ssh-options'

export interface BackupFlags extends RepoOptions, SshFlags {
  from: string
  workspace?: string
  exclude?: string[]
  include?: string[]
  includeCredentials?: boolean
  defaultExcludes: boolean
  tag?: string[]
  trigger: SnapshotTrigger
  parent?: string
  changeDetection: ChangeDetection
  host?: string
}

/** Warnings printed on stderr in text mode; all of them are in the JSON output. */
const WARNINGS_SHOWN = 20

export async function backup(ctx: CommandContext, flags: BackupFlags): Promise<CommandOutput> {
  const endpoint = parseEndpoint(flags.from, '--from', ctx.io.cwd)
  const workspaceId = flags.workspace ?? deriveWorkspaceId(endpoint)
  const opened = await openCliRepository(ctx, flags)
  const progress = ctx.progress()
  let source: Source | null = null
  try {
    const workspace = await openWorkspace(opened.repo, workspaceId, {
      create: true,
      signal: ctx.signal,
    })
    source =
      endpoint.kind === 'local'
        ? localSource()
        : await connectSshSource(await sshConnectOptions(endpoint, flags, ctx.io.env, ctx.signal))
    ctx.note(`Backing up ${describeEndpoint(endpoint)} as workspace ${workspaceId}`)
    const parent =
      flags.parent === undefined ? undefined : flags.parent === 'none' ? null : flags.parent
    const result = await runBackup({
      workspace,
      source,
      paths: [endpoint.path],
      trigger: flags.trigger,
      excludes: flags.exclude ?? [],
      includes: flags.include ?? [],
      secretsPolicy: flags.includeCredentials ? 'include' : 'exclude-credentials',
      noCacheExcludes: !flags.defaultExcludes,
      tags: flags.tag ?? [],
      program: `cairn ${version} (cli)`,
      changeDetection: flags.changeDetection,
      ...(parent === undefined ? {} : { parent }),
      ...(flags.host ? { host: flags.host } : {}),
      lease: { holder: 'cairn backup (cli)' },
      ...indexCacheOption(cliIndexCache(ctx.io.env, workspace)),
      signal: ctx.signal,
      onProgress: (p) => progress.update(p),
    })
    progress.done()
    const restorePoint = toRestorePoint(result.snapshot)
    const s = result.stats
    const lines = [
      `Restore point ${restorePoint.id.slice(0, 8)} of workspace ${workspaceId}: ` +
        `${s.files} files, ${formatBytes(s.bytes)}.`,
      `  read ${s.filesRead} new or changed files (${formatBytes(s.bytesRead)}), ` +
        `${s.filesUnchanged} unchanged; uploaded ${formatBytes(s.addedPackBytes)} in ` +
        `${s.addedPacks} packs; ${formatDuration(s.durationMs / 1000)}.`,
    ]
    if (s.filesChangedWhileReading > 0) {
      lines.push(
        `  ${s.filesChangedWhileReading} files changed while they were read; their content may be torn (see warnings).`,
      )
    }
    if (s.filesSkipped > 0)
      lines.push(`  ${s.filesSkipped} files could not be read and are not in it.`)
    printWarnings(ctx, result.warnings)
    return {
      json: { workspaceId, restorePoint, stats: result.stats, warnings: result.warnings },
      text: lines.join('\n'),
    }
  } finally {
    progress.done()
    await source?.close().catch(() => {})
    opened.close()
  }
}

function printWarnings(ctx: CommandContext, warnings: BackupWarning[]): void {
  if (ctx.json || warnings.length === 0) return
  for (const w of warnings.slice(0, WARNINGS_SHOWN)) {
    ctx.note(`warning: ${w.path ? `${w.path}: ` : ''}${w.message}`)
  }
  if (warnings.length > WARNINGS_SHOWN) {
    ctx.note(`… and ${warnings.length - WARNINGS_SHOWN} more warnings (all of them with --json).`)
  }
}
