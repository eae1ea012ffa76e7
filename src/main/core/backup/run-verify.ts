import { verifySnapshot } from '../repo'
import { ProgressTicker } from './progress'
import { openForSnapshot } from './run-restore'
import type { VerifyPhase, VerifyResult, VerifyRunOptions } from './types'
import { rootEntryNames } from './view'

/**
 * A restore drill: reads back every tree and all (or `share` of) the restore point's distinct
 * data blobs, each authenticated and checked against its id, and reports every damaged blob with
 * the files that need it. Damage does not stop it; only a cancel or an unreachable store does.
 */
export async function runVerify(options: VerifyRunOptions): Promise<VerifyResult> {
  const started = Date.now()
  const ticker = new ProgressTicker<VerifyPhase>('trees', options.onProgress)
  ticker.flush()
  const { reader, info } = await openForSnapshot(options, options.snapshotId, options.signal)
  const report = await verifySnapshot(reader, info.id, {
    dataShare: options.share ?? 1,
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (p) => {
      const state = ticker.state
      state.filesDone = p.phase === 'trees' ? p.treesChecked : p.blobsChecked
      state.filesTotal = p.phase === 'trees' ? null : p.blobsToCheck
      state.bytesDone = p.bytesChecked
      if (state.phase !== p.phase) ticker.phase(p.phase)
      else ticker.touch()
    },
  })
  ticker.flush()
  // Paths come relative to the root tree; show them relative to the view like browse does.
  const names = rootEntryNames(info.snapshot.paths).map((n) => n.toString('utf8'))
  const single = info.snapshot.paths.length === 1 ? names[0]! : null
  const inView = (path: string) => {
    if (single === null) return path
    if (path === single || path === '/') return '/'
    return path.startsWith(`${single}/`) ? path.slice(single.length + 1) : path
  }
  return {
    snapshotId: report.snapshotId,
    ok: report.ok,
    treesChecked: report.treesChecked,
    dataBlobs: report.dataBlobs,
    dataBlobsChecked: report.dataBlobsChecked,
    bytesChecked: report.bytesChecked,
    problems: report.problems.map((p) => ({
      kind: p.kind,
      blobId: p.blobId,
      packId: p.packId,
      message: p.message,
      paths: p.paths.map(inView),
    })),
    durationMs: Date.now() - started,
  }
}
