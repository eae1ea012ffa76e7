import { hostname } from 'node:os'
import type { RepairIndexResult, WorkspaceCheck } from '../../shared/domain/check'
import { checkRepository } from '../../main/core/maintenance/check-repository'
import { repairIndex } from '../../main/core/maintenance/repair-index'
import { listWorkspaces, openWorkspace } from '../../main/core/repo'
import { assertWorkspaceId } from '../../main/core/repo/layout'
import { EXIT } from '../exit-codes'
import { formatBytes } from '../format'
import type { CommandContext, CommandOutput } from '../io'
import type { RepoOptions } from '../locations'
import { openCliRepository } from '../repository'
import { parseShare } from './verify'

export interface CheckFlags extends RepoOptions {
  workspace?: string
  readData?: string
  repairIndex?: boolean
}

const SHOWN = 20

/**
 * `cairn check`: checks the repository (every workspace, or --workspace): index against packs,
 * every tree of every restore point, every data blob present; `--read-data 10%` also reads back
 * and authenticates that share of the data. Exit 3 when damage is found. `--repair-index` first
 * rebuilds what the index is missing from the packs (under each workspace's lease; nothing is
 * deleted), then checks.
 */
export async function check(ctx: CommandContext, flags: CheckFlags): Promise<CommandOutput> {
  const readData = flags.readData === undefined ? 0 : parseShare(flags.readData)
  if (flags.workspace !== undefined) assertWorkspaceId(flags.workspace)
  const opened = await openCliRepository(ctx, flags)
  const progress = ctx.progress()
  try {
    const lines: string[] = []
    const repairs: Omit<RepairIndexResult, 'requests'>[] = []
    if (flags.repairIndex) {
      const ids =
        flags.workspace !== undefined
          ? [flags.workspace]
          : await listWorkspaces(opened.repo, { signal: ctx.signal })
      for (const id of ids) {
        progress.update({ phase: `repairing the index of ${id}` })
        const workspace = await openWorkspace(opened.repo, id, { signal: ctx.signal })
        const repair = await repairIndex(workspace, {
          holder: `cairn check --repair-index (pid ${process.pid})`,
          hostname: hostname(),
          signal: ctx.signal,
        })
        repairs.push(repair)
        lines.push(
          `${id}: index repaired: ${repair.indexed.length} pack${repair.indexed.length === 1 ? '' : 's'} ` +
            `(${formatBytes(repair.indexed.reduce((n, p) => n + p.size, 0))}, ${repair.blobsAdded} blobs) added` +
            (repair.failed.length ? `, ${repair.failed.length} unreadable (left in place)` : '') +
            (repair.movedIndexFiles.length
              ? `; ${repair.movedIndexFiles.length} damaged index file(s) moved to damaged/index/`
              : ''),
        )
        for (const failed of repair.failed)
          lines.push(`  ${failed.id.slice(0, 8)}: ${failed.message}`)
      }
    }
    const report = await checkRepository(opened.repo, {
      ...(flags.workspace !== undefined ? { workspaceId: flags.workspace } : {}),
      readData,
      signal: ctx.signal,
      onProgress: (p) =>
        progress.update({
          phase: `check: ${p.phase}`,
          filesDone: p.done,
          ...(p.total === null ? {} : { filesTotal: p.total }),
        }),
    })
    progress.done()
    for (const w of report.workspaces) lines.push(...describe(w))
    if (report.workspaces.length === 0) lines.push('The repository has no workspaces yet.')
    return {
      json: {
        ok: report.ok,
        readData,
        repairs,
        workspaces: report.workspaces,
        durationMs: report.durationMs,
      },
      text: lines.join('\n'),
      exitCode: report.ok ? EXIT.ok : EXIT.damage,
    }
  } finally {
    progress.done()
    opened.close()
  }
}

function describe(w: WorkspaceCheck): string[] {
  const what =
    `${w.restorePoints} restore point${w.restorePoints === 1 ? '' : 's'}, ${w.packs} packs, ` +
    `${w.treesChecked} trees, ${w.dataBlobs} data blobs` +
    (w.dataBlobsChecked > 0 ? ` (${w.dataBlobsChecked} read, ${formatBytes(w.bytesChecked)})` : '')
  const lines = [`${w.workspaceId}: ${w.ok ? 'ok' : 'DAMAGED'} (${what})`]
  for (const p of w.problems) {
    lines.push(`  ${p.message}`)
    if (p.restorePoints.length > 0)
      lines.push(`    restore points: ${p.restorePoints.map((id) => id.slice(0, 8)).join(', ')}`)
    for (const path of p.paths.slice(0, SHOWN)) lines.push(`    affects ${path}`)
    if (p.paths.length > SHOWN)
      lines.push(`    … and ${p.paths.length - SHOWN} more (all with --json)`)
  }
  if (w.problems.some((p) => p.kind === 'index') && w.orphanPacks.length === 0) {
    lines.push(
      '  Indexes can be rebuilt from the packs: `cairn check --repair-index` does it and moves the damaged index files aside.',
    )
  }
  if (w.orphanPacks.length > 0) {
    const bytes = w.orphanPacks.reduce((n, p) => n + p.size, 0)
    lines.push(
      `  ${w.orphanPacks.length} pack${w.orphanPacks.length === 1 ? '' : 's'} (${formatBytes(bytes)}) in no index ` +
        `(left by an interrupted backup, or their index was lost): \`cairn check --repair-index\` adds them to the index.`,
    )
  }
  return lines
}
