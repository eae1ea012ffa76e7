import { CairnError } from '../../shared/errors'
import { loadIndexReportingDamage, runVerify, type VerifyResult } from '../../main/core/backup'
import { listRestorePoints } from '../../main/core/api/handlers/restore-points-view'
import { openSnapshotReader, openWorkspace } from '../../main/core/repo'
import { EXIT } from '../exit-codes'
import { formatBytes } from '../format'
import type { CommandContext, CommandOutput } from '../io'
import type { RepoOptions } from '../locations'
import { openCliRepository, resolveWorkspace } from '../repository'

export interface VerifyFlags extends RepoOptions {
  workspace?: string
  all?: boolean
  share: string
}

const PATHS_SHOWN = 20

/** "0.1", "10%" -> 0.1; the share of data blobs to read back. */
export function parseShare(text: string): number {
  const percent = text.endsWith('%')
  const value = Number(percent ? text.slice(0, -1) : text) / (percent ? 100 : 1)
  if (!Number.isFinite(value) || value <= 0 || value > 1) {
    throw new CairnError(
      'invalid_input',
      `--share takes a share above 0 and at most 1, like 0.1 or 10% (not ${text}).`,
    )
  }
  return value
}

/**
 * `cairn verify [id|latest]` or `--all`: reads back restore points (every tree, and all or a share
 * of the data) and reports damage with the affected files. Exit code 3 when anything is damaged.
 */
export async function verify(
  ctx: CommandContext,
  restorePoint: string | undefined,
  flags: VerifyFlags,
): Promise<CommandOutput> {
  const share = parseShare(flags.share)
  if (flags.all && restorePoint !== undefined) {
    throw new CairnError('invalid_input', 'Give a restore point or --all, not both.')
  }
  const opened = await openCliRepository(ctx, flags)
  const progress = ctx.progress()
  try {
    const targets: { workspaceId: string; ids: string[] }[] = []
    const damagedPoints: { workspaceId: string; id: string; message: string }[] = []
    if (flags.all) {
      const listing = await listRestorePoints(
        opened.repo,
        flags.workspace === undefined ? null : [flags.workspace],
        ctx.signal,
      )
      damagedPoints.push(...listing.damaged)
      for (const p of listing.restorePoints) {
        let t = targets.find((x) => x.workspaceId === p.workspaceId)
        if (!t) targets.push((t = { workspaceId: p.workspaceId, ids: [] }))
        t.ids.push(p.id)
      }
    } else {
      const workspaceId = await resolveWorkspace(opened.repo, flags.workspace, ctx.signal)
      targets.push({ workspaceId, ids: [restorePoint ?? 'latest'] })
    }
    const results: (VerifyResult & { workspaceId: string })[] = []
    for (const { workspaceId, ids } of targets) {
      const workspace = await openWorkspace(opened.repo, workspaceId, { signal: ctx.signal })
      // Loaded once for all its restore points; damaged index files are reported with each.
      const { index, problems: indexProblems } = await loadIndexReportingDamage(workspace, {
        signal: ctx.signal,
      })
      const reader = await openSnapshotReader(workspace, { signal: ctx.signal, index })
      for (const id of ids) {
        const result = await runVerify({
          reader,
          snapshotId: id,
          share,
          signal: ctx.signal,
          onProgress: (p) =>
            progress.update({ ...p, phase: `verify ${id.slice(0, 8)}: ${p.phase}` }),
        })
        results.push({
          workspaceId,
          ...result,
          ok: result.ok && indexProblems.length === 0,
          problems: [...indexProblems, ...result.problems],
        })
      }
    }
    progress.done()
    const ok = damagedPoints.length === 0 && results.every((r) => r.ok)
    const lines: string[] = []
    for (const r of results) {
      const what =
        `${r.treesChecked} trees, ${r.dataBlobsChecked}/${r.dataBlobs} data blobs, ` +
        `${formatBytes(r.bytesChecked)} read`
      if (r.ok) {
        lines.push(`${r.snapshotId.slice(0, 8)} (${r.workspaceId}): ok (${what})`)
        continue
      }
      lines.push(`${r.snapshotId.slice(0, 8)} (${r.workspaceId}): DAMAGED (${what})`)
      for (const problem of r.problems) {
        lines.push(`  ${problem.message}`)
        for (const path of problem.paths.slice(0, PATHS_SHOWN)) lines.push(`    affects ${path}`)
        if (problem.paths.length > PATHS_SHOWN) {
          lines.push(`    … and ${problem.paths.length - PATHS_SHOWN} more (all with --json)`)
        }
      }
    }
    for (const d of damagedPoints) {
      lines.push(`${d.id.slice(0, 8)} (${d.workspaceId}): DAMAGED: ${d.message}`)
    }
    if (results.length === 0 && damagedPoints.length === 0)
      lines.push('No restore points to verify.')
    return {
      json: { ok, share, results, damagedRestorePoints: damagedPoints },
      text: lines.join('\n'),
      exitCode: ok ? EXIT.ok : EXIT.damage,
    }
  } finally {
    progress.done()
    opened.close()
  }
}
