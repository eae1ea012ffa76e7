/**
 * `npx tsx bench/prune.ts [size] [restore points] [keep]`: the prune benchmark. The generated
 * workspace (lib/dataset.ts, default 1G) is copied, backed up `restore points` times (default 30)
 * into a folder repository with the ~1% change of lib/change.ts between backups, the oldest are
 * forgotten (all but `keep`, default 10), and the workspace is pruned: wall time, requests and
 * bytes freed, then a dry run (must find nothing) and a check of every remaining restore point's
 * trees plus 5% of its data. Not a test: numbers, written to bench/results/prune.json.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { localSource, runBackup } from '../src/main/core/backup'
import { generateMasterKey } from '../src/main/core/keys/master-key'
import {
  acquireLease,
  checkWorkspace,
  initRepository,
  openSnapshotReader,
  openWorkspace,
  pruneWorkspace,
} from '../src/main/core/repo'
import { forgetSnapshots } from '../src/main/core/repo/workspace/forget'
import { FolderStore } from '../src/main/core/storage/folder-store'
import { applyChange } from './lib/change'
import { ensureDataset, MIB, parseSize } from './lib/dataset'

const size = parseSize(process.argv[2] ?? '1G')
const points = Number(process.argv[3] ?? 30)
const keep = Number(process.argv[4] ?? 10)
const seed = 1
const log = (line: string) => console.log(`[prune bench] ${line}`)

const dataset = await ensureDataset('/var/tmp/cairn-bench', seed, size, log)
const scratch = await mkdtemp(path.join(process.env.BENCH_TMP ?? '/var/tmp', 'cairn-prune-bench-'))
try {
  const work = path.join(scratch, 'work')
  execFileSync('cp', ['-a', dataset.root, work])
  const repoDir = path.join(scratch, 'repo')
  await mkdir(repoDir)
  const store = new FolderStore(repoDir)
  const repo = await initRepository(store, generateMasterKey())
  const workspace = await openWorkspace(repo, 'bench', { create: true })
  const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }
  const t0 = performance.now()
  for (let round = 0; round < points; round++) {
    if (round > 0) await applyChange(work, seed, dataset.manifest.bytes, owner, round)
    await runBackup({ workspace, source: localSource(), paths: [work], trigger: 'cli' })
  }
  log(`${points} backups in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  const reader = await openSnapshotReader(workspace)
  const listed = (await reader.listSnapshots()).snapshots
  const lease = await acquireLease(workspace, { holder: 'bench forget', hostname: 'bench' })
  await forgetSnapshots(
    workspace,
    listed.slice(0, listed.length - keep).map((s) => s.id),
    { lease },
  )
  await lease.release()

  const p0 = performance.now()
  const result = await pruneWorkspace(workspace, { holder: 'bench prune', hostname: 'bench' })
  const pruneMs = performance.now() - p0
  const dry = await pruneWorkspace(workspace, {
    holder: 'bench prune',
    hostname: 'bench',
    dryRun: true,
  })
  const check = await checkWorkspace(workspace, { dataShare: 0.05 })
  const summary = {
    dataset: { bytes: dataset.manifest.bytes, files: dataset.manifest.files },
    restorePoints: points,
    kept: keep,
    pruneSeconds: Math.round(pruneMs) / 1000,
    bytesBeforeMiB: +(result.bytesBefore / MIB).toFixed(1),
    bytesAfterMiB: +(result.bytesAfter / MIB).toFixed(1),
    freedMiB: +(result.bytesFreed / MIB).toFixed(1),
    packsBefore: result.packsBefore,
    packsAfter: result.packsAfter,
    removedPacks: result.removedPacks.length,
    repackedPacks: result.repackedPacks.length,
    repackedMiB: +(result.bytesRepacked / MIB).toFixed(1),
    newPacks: result.newPacks.length,
    indexFiles: { written: result.indexFilesWritten, deleted: result.indexFilesDeleted },
    requests: result.requests,
    secondPruneWouldFree: dry.bytesFreed,
    checkOk: check.ok,
    checkProblems: check.problems.length,
  }
  log(JSON.stringify(summary, null, 2))
  await mkdir(path.join(import.meta.dirname, 'results'), { recursive: true })
  await writeFile(
    path.join(import.meta.dirname, 'results', 'prune.json'),
    `${JSON.stringify(summary, null, 2)}\n`,
  )
  if (!check.ok || dry.bytesFreed > 0) process.exitCode = 1
} finally {
  await rm(scratch, { recursive: true, force: true })
  void tmpdir
}
