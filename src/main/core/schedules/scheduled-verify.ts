import { randomInt } from 'node:crypto'
import type { VerifyRunResult } from '../../../shared/domain/schedules'
import { runVerify } from '../backup'
import type { JobContext } from '../jobs/job-runner'
import { MemoryIndex, openWorkspace, SnapshotReader, type Repository } from '../repo'
import { verifyShareFor } from '../workspaces/stop-workspace'

/** Restore points read back per scheduled verify: the newest and this many others at random. */
export const VERIFY_SAMPLE_OTHERS = 2

/**
 * The restore points a scheduled verify reads back: always the newest (what a start would restore),
 * plus a few older ones at random, so over the weeks every restore point gets checked without
 * reading the whole history each time. Each is read like a stop's verify (every tree; all data up
 * to 64 MiB of content, above that a random share reading about as much).
 */
export function sampleForVerify<T>(points: readonly T[], others = VERIFY_SAMPLE_OTHERS): T[] {
  if (points.length === 0) return []
  const newest = points[points.length - 1]!
  const rest = points.slice(0, -1)
  const picked: T[] = [newest]
  while (picked.length <= others && rest.length > 0) {
    picked.push(rest.splice(randomInt(rest.length), 1)[0]!)
  }
  return picked
}

/** Verifies a sample of the workspace's restore points; never throws for damage (it is reported). */
export async function verifySample(
  repo: Repository,
  workspaceId: string,
  job: JobContext,
  at: string,
): Promise<VerifyRunResult> {
  const workspace = await openWorkspace(repo, workspaceId, { signal: job.signal })
  const reader = new SnapshotReader(workspace, new MemoryIndex(), { signal: job.signal })
  const listing = await reader.listSnapshots()
  const sample = sampleForVerify(listing.snapshots)
  const result: VerifyRunResult = {
    at,
    ok: true,
    message: null,
    jobId: job.id,
    restorePointsChecked: [],
    damagedRestorePoints: listing.damaged.map((d) => d.id),
    problems: [],
  }
  for (const [i, { id, snapshot }] of sample.entries()) {
    const report = await runVerify({
      workspace,
      snapshotId: id,
      share: verifyShareFor(snapshot.stats.bytes),
      signal: job.signal,
      onProgress: (p) =>
        job.progress({ ...p, phase: `verifying ${i + 1} of ${sample.length}: ${p.phase}` }),
    })
    result.restorePointsChecked.push(id)
    result.problems.push(...report.problems.map((p) => ({ ...p, restorePointId: id })))
  }
  result.ok = result.problems.length === 0 && result.damagedRestorePoints.length === 0
  if (!result.ok) {
    const damaged = new Set([
      ...result.damagedRestorePoints,
      ...result.problems.map((p) => p.restorePointId),
    ])
    result.message = `${damaged.size} restore point${damaged.size === 1 ? ' is' : 's are'} damaged (${result.problems.length} damaged object${result.problems.length === 1 ? '' : 's'}). Run a full verify to see every affected file.`
  } else {
    result.message = `${sample.length} restore point${sample.length === 1 ? '' : 's'} read back without damage.`
  }
  return result
}
