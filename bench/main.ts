/**
 * `npm run bench`: Cairn's backup engine against restic 0.14 on the same generated developer
 * workspace, in the same run. See docs/benchmarks.md for the method and the recorded numbers.
 *
 *   npm run bench                       # ~1 GiB, ~50k files, S3 (s3rver) repository
 *   npm run bench -- --size 100M        # a quick run of the same shape
 *   npm run bench -- --help
 */
import { randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { cpus, loadavg, totalmem } from 'node:os'
import { rmSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { build } from 'esbuild'
import { startLocalCloud } from '../cloud/index'
import { applyChange, type ChangeSummary } from './lib/change'
import { compareTrees, describeTree } from './lib/compare'
import { ensureDataset, MIB, parseSize, sizeLabel } from './lib/dataset'
import { acquireBenchLock } from './lib/lock'
import { TIME_BIN } from './lib/measure'
import {
  bundleModuleMap,
  formatProfile,
  summarizeProfile,
  type ProfileSummary,
} from './lib/profile'
import { medians, table, targets, targetTable } from './lib/report'
import { scratchFs } from './lib/scratch-fs'
import { startS3Proxy } from './lib/s3-proxy'
import {
  Cairn,
  Restic,
  type Op,
  type OpMeasurement,
  type RepoKind,
  type SshTarget,
} from './lib/tools'
import { copyInto, createVm, type BenchVm } from './lib/vm'
import { vmCpuMeter } from './lib/vm-cpu'

const run = promisify(execFile)
const benchDir = path.dirname(fileURLToPath(import.meta.url))

const HELP = `npm run bench -- [options]

  --size SIZE        dataset size (default 1G; e.g. 100M for a quick run)
  --seed N           dataset seed (default 1)
  --cache-dir DIR    where datasets are generated and kept (default /var/tmp/cairn-bench)
  --repo KIND        s3 (default: s3rver through a counting HTTPS proxy) or folder
  --no-restic        Cairn only
  --no-cairn         restic only
  --no-ssh-restore   skip Cairn's restore over SSH into a fresh VM
  --no-check         skip comparing restored trees with the source
  --profile          CPU-profile every Cairn operation (node --cpu-prof) and summarize
  --keep             keep the run directory (repositories, restores, logs)
  --out FILE         results JSON (default bench/results/latest.json)
  --timeout MIN      per operation (default 30)
  --cairn-env K=V    extra environment for the Cairn processes (experiments, e.g.
                     MALLOC_ARENA_MAX=2 or UV_THREADPOOL_SIZE=2); may be repeated
  --rounds N         repeat everything N times (fresh VM and repositories; who goes first
                     alternates); the table shows each operation's median round
`

const { values: opt } = parseArgs({
  options: {
    size: { type: 'string', default: '1G' },
    seed: { type: 'string', default: '1' },
    'cache-dir': { type: 'string', default: '/var/tmp/cairn-bench' },
    repo: { type: 'string', default: 's3' },
    'no-restic': { type: 'boolean', default: false },
    'no-cairn': { type: 'boolean', default: false },
    'no-ssh-restore': { type: 'boolean', default: false },
    'no-check': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(benchDir, 'results', 'latest.json') },
    timeout: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '1' },
    'cairn-env': { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', default: false },
  },
})
if (opt.help) {
  process.stdout.write(HELP)
  process.exit(0)
}

const log = (line: string) =>
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`)

async function requireTools(): Promise<string> {
  try {
    await run(TIME_BIN, ['-f', '%M', 'true'])
  } catch {
    throw new Error(`${TIME_BIN} (GNU time) is needed to measure peak RSS: apt-get install time`)
  }
  if (opt['no-restic']) return 'not run'
  try {
    const { stdout } = await run('restic', ['version'])
    return stdout.trim()
  } catch {
    throw new Error(
      'restic is needed for the comparison: apt-get install restic (or pass --no-restic)',
    )
  }
}

/** Which Cairn was measured: the commit, and whether the core had uncommitted changes. */
async function cairnVersion(): Promise<{ commit: string; coreDirty: boolean }> {
  const cwd = path.join(benchDir, '..')
  const { stdout: commit } = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd })
  const { stdout: status } = await run('git', ['status', '--porcelain', '--', 'src/main/core'], {
    cwd,
  })
  return { commit: commit.trim(), coreDirty: status.trim() !== '' }
}

async function machine(resticVersion: string) {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '')
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown'
  const { stdout: nproc } = await run('nproc')
  return {
    nproc: Number(nproc.trim()),
    cpu: model.trim(),
    ramGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    restic: resticVersion,
    loadAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  }
}

/** The Cairn child, bundled like the built CLI so module loading is not tsx's on-the-fly compile. */
async function bundleCairn(): Promise<string> {
  // Under node_modules: its imports of packages resolve there, and lint and git leave it alone.
  // One file per run: another checkout's bench (sharing node_modules) must not replace it midway.
  const outfile = path.join(
    benchDir,
    '..',
    'node_modules',
    '.cache',
    'cairn-bench',
    `cairn-op-${process.pid}.mjs`,
  )
  process.on('exit', () => rmSync(outfile, { force: true }))
  await build({
    entryPoints: [path.join(benchDir, 'cairn-op.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  })
  return outfile
}

async function main(): Promise<void> {
  const size = parseSize(opt.size)
  const seed = Number(opt.seed)
  const repoKind = opt.repo as RepoKind
  if (repoKind !== 's3' && repoKind !== 'folder') throw new Error('--repo is s3 or folder')
  const withCairn = !opt['no-cairn']
  const withRestic = !opt['no-restic']
  const resticVersion = await requireTools()
  const host = await machine(resticVersion)
  log(
    `machine: ${host.nproc} cores (${host.cpu}), ${host.ramGiB} GiB RAM, Node ${host.node}, ${host.restic}; load ${host.loadAtStart.join(' ')}`,
  )

  await mkdir(opt['cache-dir'], { recursive: true })
  const unlock = await acquireBenchLock(opt['cache-dir'], log)
  try {
    await measureAll(size, seed, repoKind, withCairn, withRestic, host)
  } finally {
    await unlock()
  }
}

async function measureAll(
  size: number,
  seed: number,
  repoKind: RepoKind,
  withCairn: boolean,
  withRestic: boolean,
  host: Awaited<ReturnType<typeof machine>>,
): Promise<void> {
  const dataset = await ensureDataset(opt['cache-dir'], seed, size, log)
  const dsBytes = dataset.manifest.bytes
  log(
    `dataset: ${dataset.manifest.files} files, ${dataset.manifest.dirs} dirs, ${(dsBytes / MIB).toFixed(0)} MiB (${dataset.root})`,
  )

  const runDir = path.join(
    opt['cache-dir'],
    `run-${new Date().toISOString().replace(/[:.]/g, '-')}`,
  )
  const keysDir = path.join(runDir, 'keys')
  await mkdir(keysDir, { recursive: true })
  const bundle = withCairn ? await bundleCairn() : ''
  const cairnAt = await cairnVersion()
  log(
    `Cairn at ${cairnAt.commit}${cairnAt.coreDirty ? ' (src/main/core has uncommitted changes)' : ''}`,
  )
  const rounds = Math.max(1, Number(opt.rounds))

  log('starting the local cloud (fake Hetzner with sshd VMs, s3rver)')
  const cloud = await startLocalCloud({ keyring: false })
  const measurements: OpMeasurement[] = []
  let change: ChangeSummary | null = null
  const restoreChecks: Record<string, string[]> = {}
  const profiles: Record<string, ProfileSummary> = {}
  const vms: BenchVm[] = []
  const ssh = (v: BenchVm): SshTarget => ({
    host: v.ip,
    port: v.port,
    keyFile: v.userKeyFile,
    hostKey: v.hostPublicKey,
  })
  /** Adds the VM side's CPU time to a Cairn operation over SSH. */
  const onVm = async (v: BenchVm, op: () => Promise<OpMeasurement>) => {
    const meter = await vmCpuMeter(v.homeDir)
    const before = meter ? await meter() : 0
    const m = await op()
    if (meter) {
      // The connection's processes are reaped (and their time added) just after it closes.
      await new Promise((r) => setTimeout(r, 500))
      m.vmCpuMs = (await meter()) - before
    }
    return m
  }
  const record = (m: OpMeasurement) => {
    measurements.push(m)
    const q = m.store ?? m.proxy
    log(
      `${m.tool.padEnd(6)} ${m.op.padEnd(24)} ${(m.measured.wallMs / 1000).toFixed(2).padStart(7)} s` +
        (m.opMs !== undefined ? ` (op ${(m.opMs / 1000).toFixed(2)} s)` : '') +
        `  rss ${(m.measured.maxRssKiB / 1024).toFixed(0)} MiB  cpu ${((m.measured.userMs + m.measured.systemMs) / 1000).toFixed(1)} s` +
        (m.vmCpuMs !== undefined ? ` + vm ${(m.vmCpuMs / 1000).toFixed(1)} s` : '') +
        (q
          ? `  put/get/list ${q.put}/${q.get}/${q.list}  up ${(q.bytesUp / MIB).toFixed(1)} MiB`
          : '') +
        `  load ${m.measured.loadBefore.toFixed(2)}`,
    )
    if (m.memoryPeaksMiB) {
      const p = m.memoryPeaksMiB
      log(
        `       memory peaks (MiB): rss ${p.rss}, heap used ${p.heapUsed} of ${p.heapTotal}, external ${p.external} (array buffers ${p.arrayBuffers})`,
      )
    }
    if (m.phases?.length) {
      log(
        `       phases: ${m.phases.map((p) => `${p.phase} @${(p.atMs / 1000).toFixed(1)}s`).join(', ')}`,
      )
    }
  }

  try {
    const s3 = cloud.s3
    const hetzner = cloud.hetzner
    const proxy = await startS3Proxy(s3.endpoint, runDir)
    const source = { tree: null as Awaited<ReturnType<typeof describeTree>> | null }

    for (let round = 1; round <= rounds; round++) {
      const roundDir = path.join(runDir, `round-${round}`)
      await mkdir(roundDir, { recursive: true })
      const ctx = {
        runDir: roundDir,
        round,
        s3,
        proxy,
        repoKind,
        timeoutMs: Number(opt.timeout) * 60_000,
        log,
      }
      const profileDir = opt.profile ? path.join(roundDir, 'profiles') : null
      const vm = await createVm(hetzner, `bench-ws-${round}`, keysDir)
      vms.push(vm)
      const t = performance.now()
      const workDir = await copyInto(vm, dataset.root, 'work')
      log(
        `round ${round} of ${rounds}: VM ${vm.ip}:${vm.port} up; dataset copied into /home/dev/work in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      )
      const vmPath = '/home/dev/work'
      const cairnEnv = Object.fromEntries(
        (opt['cairn-env'] ?? []).map((kv) => [
          kv.slice(0, kv.indexOf('=')),
          kv.slice(kv.indexOf('=') + 1),
        ]),
      )
      const cairn = withCairn ? new Cairn(ctx, bundle, profileDir, cairnEnv) : null
      const restic = withRestic ? new Restic(ctx) : null
      await cairn?.init(randomBytes(32).toString('hex'))
      await restic?.init()

      // Interleaved per operation, so that both tools see the same machine load and page cache;
      // who goes first alternates between rounds.
      // Each operation starts with the file systems' write-back done (`sync`): otherwise the
      // previous operation's writes (s3rver's stored packs, a deleted restore tree) are flushed
      // during the next one, which then pays for work that is not its own.
      const settled = (op: () => Promise<void>) => async () => {
        await run('sync')
        await op()
      }
      const pair = async (a: () => Promise<void>, b: () => Promise<void>) => {
        if (round % 2 === 1) {
          await settled(a)()
          await settled(b)()
        } else {
          await settled(b)()
          await settled(a)()
        }
      }
      const cairnBackup = (op: Op) => async () => {
        if (cairn) record(await onVm(vm, () => cairn.backup(op, ssh(vm), vmPath)))
      }
      const resticBackup = (op: Op) => async () => {
        if (restic) record(await restic.backup(op, workDir))
      }
      await pair(cairnBackup('full backup'), resticBackup('full backup'))
      await pair(cairnBackup('unchanged backup'), resticBackup('unchanged backup'))
      change = await applyChange(workDir, seed, dsBytes, vm)
      log(
        `change: ${(change.bytesChanged / MIB).toFixed(1)} MiB (${(change.share * 100).toFixed(2)}%) in ${change.filesModified} modified and ${change.filesAdded} new files, ${change.filesDeleted} deleted`,
      )
      await pair(cairnBackup('1% change backup'), resticBackup('1% change backup'))

      // Restored trees are compared with the source in the first round (the data is the same later).
      if (round === 1 && !opt['no-check']) source.tree = await describeTree(workDir, true)
      const checkRestore = async (name: string, dir: string) => {
        if (!source.tree || round !== 1) return
        const problems = compareTrees(source.tree, await describeTree(dir, true))
        restoreChecks[name] = problems
        log(
          problems.length
            ? `${name}: restored tree DIFFERS:\n  ${problems.join('\n  ')}`
            : `${name}: restored tree identical`,
        )
      }
      // Each local restore goes into a fresh journaled ext4 (bench/lib/scratch-fs.ts says why
      // not a folder of this machine's root file system).
      const restoreInto = async (
        name: string,
        restore: (dir: string) => Promise<OpMeasurement>,
        restoredRoot: (dir: string) => string,
      ) => {
        const scratch = await scratchFs(roundDir, name, Math.max(2 * 1024 * MIB, 3 * dsBytes))
        if (scratch.fallback)
          log(`${name}: no scratch file system (${scratch.fallback}), restoring into a folder`)
        try {
          const dir = path.join(scratch.dir, 'restore')
          await run('sync')
          record(await restore(dir))
          await checkRestore(`${name.replace('restore-', '')} restore (local)`, restoredRoot(dir))
        } finally {
          await scratch.dispose()
        }
      }
      await pair(
        async () => {
          if (cairn)
            await restoreInto(
              'restore-cairn',
              (dir) => cairn.restoreLocal('restore (local)', dir),
              (dir) => dir,
            )
        },
        async () => {
          if (restic)
            await restoreInto(
              'restore-restic',
              (dir) => restic.restore('restore (local)', dir),
              (dir) => path.join(dir, workDir),
            )
        },
      )
      await pair(
        async () => {
          if (cairn) record(await cairn.verify('verify (full)'))
        },
        async () => {
          if (restic) record(await restic.verify('verify (full)'))
        },
      )
      if (cairn && !opt['no-ssh-restore']) {
        const fresh = await createVm(hetzner, `bench-restore-${round}`, keysDir)
        vms.push(fresh)
        await run('sync')
        record(
          await onVm(fresh, () => cairn.restoreSsh('restore (ssh, fresh VM)', ssh(fresh), vmPath)),
        )
        await checkRestore('cairn restore (ssh, fresh VM)', path.join(fresh.devHome, 'work'))
        await fresh.destroy()
      }
      await vm.destroy()

      if (profileDir && round === 1) {
        const moduleOf = await bundleModuleMap(bundle)
        for (const m of measurements) {
          for (const file of m.profiles ?? []) {
            const summary = await summarizeProfile(file, bundle, moduleOf)
            // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread.
            const thread = path.basename(file).split('.')[4] ?? '0'
            const key = thread === '0' ? m.op : `${m.op} (worker thread ${thread})`
            profiles[key] = summary
            log(formatProfile(`profile of cairn ${key}`, summary))
          }
        }
      }
      if (!opt.keep) await rm(roundDir, { recursive: true, force: true })
    }
    await proxy.close()
  } finally {
    for (const vm of vms) await vm.destroy()
    await cloud.stop().catch(() => {})
    if (!opt.keep) await rm(runDir, { recursive: true, force: true })
  }

  const typical = medians(measurements)
  const tbl = table(typical, dsBytes, measurements)
  const tgt = targets(typical, change, measurements)
  const results = {
    date: new Date().toISOString(),
    machine: { ...host, loadAtEnd: loadavg().map((l) => Math.round(l * 100) / 100) },
    dataset: { ...dataset.manifest, size: sizeLabel(size) },
    repo: repoKind,
    cairn: { ...cairnAt, env: opt['cairn-env'] },
    rounds,
    change,
    /** Per tool and operation, the round with the median wall time (what the table shows). */
    medians: typical.map((m) => ({ ...m, profiles: undefined })),
    measurements: measurements.map((m) => ({ ...m, profiles: undefined })),
    restoreChecks,
    targets: tgt,
    profiles,
  }
  await mkdir(path.dirname(opt.out), { recursive: true })
  await writeFile(opt.out, JSON.stringify(results, null, 2) + '\n')
  process.stdout.write(
    `\n${rounds > 1 ? `medians of ${rounds} rounds\n` : ''}${tbl}\n\n${targetTable(tgt)}\n\nresults: ${opt.out}${opt.keep ? `\nrun directory kept: ${runDir}` : ''}\n`,
  )
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
    process.exit(1)
  },
)
