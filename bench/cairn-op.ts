/**
 * One Cairn operation in its own process, so the benchmark can measure its peak RSS and profile it
 * alone. bench/main.ts bundles this file (esbuild, like the built CLI) and runs
 * `node cairn-op.mjs <spec.json>`; the result goes to `spec.resultFile` as JSON.
 *
 * It drives the core's pipeline API (src/main/core/backup) directly, as the desktop app does.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8'
import { connectSsh } from '../src/main/core/ssh/connection'
import { connectSshSource } from '../src/main/core/backup/ssh-source'
import { runBackup, runRestore, runVerify } from '../src/main/core/backup/index'
import { initRepository, openRepository, openWorkspace } from '../src/main/core/repo/index'
import { FolderIndexCache } from '../src/main/core/repo/index'
import { FolderStore } from '../src/main/core/storage/folder-store'
import { S3Store } from '../src/main/core/storage/s3-store'
import type { ObjectStore } from '../src/main/core/storage/object-store'

export interface SshSpec {
  host: string
  port: number
  username: string
  keyFile: string
  hostKey: string
}

export interface CairnOpSpec {
  op: 'init' | 'backup' | 'restore' | 'verify'
  repo:
    | {
        kind: 's3'
        endpoint: string
        bucket: string
        prefix: string
        accessKeyId: string
        secretAccessKey: string
      }
    | { kind: 'folder'; path: string }
  masterKeyFile: string
  workspaceId: string
  indexCacheDir: string
  /** backup: what to back up. */
  source?: SshSpec & { path: string }
  /** restore: where to. */
  target?: { kind: 'local'; dir: string } | (SshSpec & { kind: 'ssh'; dir: string })
  resultFile: string
}

export interface CairnOpResult {
  op: string
  /** The operation alone (module loading excluded). */
  durationMs: number
  /** From process start to the end of the operation. */
  processMs: number
  /** Module loading and setup before the operation started. */
  startupMs: number
  maxRssKiB: number
  cpuUserMs: number
  cpuSystemMs: number
  requests: ObjectStore['requests']
  detail: unknown
  phases: { phase: string; atMs: number; filesDone: number; bytesDone: number }[]
  /** Sampled peaks of process.memoryUsage() fields (MiB), each on its own. */
  memoryPeaksMiB: Record<string, number>
}

async function main(): Promise<void> {
  const spec = JSON.parse(await readFile(process.argv[2] as string, 'utf8')) as CairnOpSpec
  const store: ObjectStore =
    spec.repo.kind === 's3'
      ? new S3Store({
          endpoint: spec.repo.endpoint,
          region: 'auto',
          bucket: spec.repo.bucket,
          prefix: spec.repo.prefix,
          accessKeyId: spec.repo.accessKeyId,
          secretAccessKey: spec.repo.secretAccessKey,
          forcePathStyle: true,
        })
      : new FolderStore(spec.repo.path)
  const masterKey = Buffer.from((await readFile(spec.masterKeyFile, 'utf8')).trim(), 'hex')
  const sshOptions = async (s: SshSpec) => ({
    host: s.host,
    port: s.port,
    username: s.username,
    privateKey: await readFile(s.keyFile, 'utf8'),
    hostKey: s.hostKey,
  })
  // Diagnosis: CAIRN_BENCH_TRACE_GC=1 prints V8's --trace-gc lines (one per collection) to stdout.
  if (process.env.CAIRN_BENCH_TRACE_GC) setFlagsFromString('--trace-gc')
  // Peaks of what RSS is made of (sampled): JS heap, buffers outside it (external, array buffers).
  const memory = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }
  // Diagnosis: CAIRN_BENCH_HEAPSNAP=<MiB> writes one heap snapshot when RSS first passes it.
  const snapAt = Number(process.env.CAIRN_BENCH_HEAPSNAP ?? 0) * 1024 * 1024
  let snapped = false
  const sample = () => {
    const m = process.memoryUsage()
    if (snapAt > 0 && !snapped && m.rss >= snapAt && spec.op === 'backup') {
      snapped = true
      process.stderr.write(`heap snapshot: ${writeHeapSnapshot()}\n`)
    }
    for (const k of Object.keys(memory) as (keyof typeof memory)[]) {
      memory[k] = Math.max(memory[k], m[k])
    }
  }
  // Diagnosis: with node --expose-gc and CAIRN_BENCH_GC_PROBE=1, a full collection every 500 ms
  // shows how much of the sampled peaks is live (printed to stderr at the end).
  const live = { heapUsed: 0, arrayBuffers: 0, external: 0 }
  const gc = (globalThis as { gc?: () => void }).gc
  const prober =
    process.env.CAIRN_BENCH_GC_PROBE && gc
      ? setInterval(() => {
          gc()
          const m = process.memoryUsage()
          for (const k of Object.keys(live) as (keyof typeof live)[]) {
            live[k] = Math.max(live[k], m[k])
          }
        }, 500)
      : null
  prober?.unref()
  process.on('exit', () => {
    if (prober)
      process.stderr.write(
        `live peaks after full GCs (MiB): ${JSON.stringify(Object.fromEntries(Object.entries(live).map(([k, v]) => [k, Math.round(v / 1048576)])))}\n`,
      )
  })
  const sampler = setInterval(sample, 50)
  sampler.unref()
  const t0 = performance.now()
  // When each phase started (ms since the operation started): where the time goes, without a profiler.
  const phases: { phase: string; atMs: number; filesDone: number; bytesDone: number }[] = []
  const onProgress = (p: { phase: string; filesDone: number; bytesDone: number }) => {
    if (phases[phases.length - 1]?.phase !== p.phase) {
      phases.push({
        phase: p.phase,
        atMs: Math.round(performance.now() - t0),
        filesDone: p.filesDone,
        bytesDone: p.bytesDone,
      })
    }
  }
  let detail: unknown
  if (spec.op === 'init') {
    const repo = await initRepository(store, masterKey)
    await openWorkspace(repo, spec.workspaceId, { create: true })
    detail = { repository: repo.id }
  } else {
    const repo = await openRepository(store, masterKey)
    const workspace = await openWorkspace(repo, spec.workspaceId)
    // The index cache the CLI and the desktop keep (sealed index files by name, per repository).
    const indexCache = new FolderIndexCache(spec.indexCacheDir, repo.id, workspace.id)
    if (spec.op === 'backup') {
      if (!spec.source) throw new Error('backup needs a source')
      const source = await connectSshSource(await sshOptions(spec.source))
      try {
        const result = await runBackup({
          workspace,
          source,
          paths: [spec.source.path],
          trigger: 'manual',
          indexCache,
          lease: { holder: 'bench' },
          // Experiments: writer options as JSON (e.g. --cairn-env CAIRN_BENCH_WRITER='{"maxPacksInFlight":2}').
          ...(process.env.CAIRN_BENCH_WRITER
            ? { writer: JSON.parse(process.env.CAIRN_BENCH_WRITER) as object }
            : {}),
          onProgress,
        })
        detail = {
          snapshot: result.snapshot.id,
          stats: result.stats,
          warnings: result.warnings.length,
        }
      } finally {
        await source.close()
      }
    } else if (spec.op === 'restore') {
      const t = spec.target
      if (!t) throw new Error('restore needs a target')
      if (t.kind === 'local') {
        detail = await runRestore({
          workspace,
          indexCache,
          snapshotId: 'latest',
          target: { kind: 'local', dir: t.dir },
          onProgress,
        })
      } else {
        const connection = await connectSsh(await sshOptions(t))
        try {
          detail = await runRestore({
            workspace,
            indexCache,
            snapshotId: 'latest',
            target: { kind: 'ssh', connection, dir: t.dir },
            onProgress,
          })
        } finally {
          await connection.close()
        }
      }
    } else {
      const result = await runVerify({
        workspace,
        indexCache,
        snapshotId: 'latest',
        share: 1,
        onProgress,
      })
      detail = { ...result, problems: result.problems.slice(0, 20) }
    }
  }
  const end = performance.now()
  clearInterval(sampler)
  sample()
  const usage = process.resourceUsage()
  const result: CairnOpResult = {
    op: spec.op,
    durationMs: end - t0,
    processMs: end,
    startupMs: t0,
    maxRssKiB: usage.maxRSS,
    cpuUserMs: usage.userCPUTime / 1000,
    cpuSystemMs: usage.systemCPUTime / 1000,
    requests: { ...store.requests },
    detail,
    phases,
    memoryPeaksMiB: Object.fromEntries(
      Object.entries(memory).map(([k, v]) => [k, Math.round(v / 2 ** 20)]),
    ),
  }
  await writeFile(spec.resultFile, JSON.stringify(result, null, 2))
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
    process.exit(1)
  },
)
