import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runBackup, runRestore, sshSource, type BackupResult } from '../../src/main/core/backup'
import { generateMasterKey } from '../../src/main/core/keys/master-key'
import { applyRetention } from '../../src/main/core/retention/apply-retention'
import {
  findUnindexedPacks,
  initRepository,
  pruneWorkspace,
  loadIndex,
  openRepository,
  openSnapshotReader,
  openWorkspace,
  type Workspace,
} from '../../src/main/core/repo'
import { connectSsh, type SshConnection } from '../../src/main/core/ssh/connection'
import { S3Store } from '../../src/main/core/storage/s3-store'
import { CairnError } from '../../src/shared/errors'
import { createTestVm, type TestVm } from './remote-vm'
import { compareTrees, describeTree, prng, seededBytes, type NodeInfo } from './backup-trees'
import { cloudInfo } from './cloud-info'
import { faultyProxy, faultyS3Proxy, type FaultyProxy, type ProxyFault } from './faulty-proxy'

/**
 * The fault-injection loop shared by the integration test (a bounded number of runs) and the soak
 * test (bounded by time): a workspace on a local-cloud VM, reached over SSH through a faulty TCP
 * proxy, backed up into s3rver through another faulty proxy. Each run changes the workspace, then
 * backs it up while something breaks at a random moment: the SSH connection is cut, S3 answers
 * 503/500, drops or cuts connections mid-transfer, or hangs. Then a clean backup follows. The
 * invariants, checked throughout: every backup either succeeds or fails with a CairnError; no
 * restore point other than complete ones is ever listed; every listed one restores bit for bit to
 * the state it was taken from; after a clean backup no uploaded pack is left unindexed (what a
 * failed backup stored is reused).
 */

export type FaultKind =
  'ssh-cut' | 's3-503' | 's3-500' | 's3-drop' | 's3-cut-mid-transfer' | 's3-hang' | 'none'

const KINDS: FaultKind[] = [
  'ssh-cut',
  's3-503',
  's3-500',
  's3-drop',
  's3-cut-mid-transfer',
  's3-hang',
  'ssh-cut',
  'none',
]

export interface FaultLoopStats {
  runs: number
  /** Forgets and prunes run under an injected S3 fault (mix mode). */
  forgets: number
  forgetsFailed: number
  prunes: number
  prunesFailed: number
  /** Clean prunes that finished what a faulted one left (and the final one). */
  cleanPrunes: number
  /** Operations that ran with a fault injected at a random moment (backups, forgets, prunes). */
  faultedOperations: number
  /** Restores compared bit for bit with their source (a restore point again after each prune). */
  restoreChecks: number
  /** Child processes (backup or prune) killed with SIGKILL at a random moment. */
  kills: number
  /** Of those, how many had finished before the kill landed. */
  killsTooLate: number
  faultedFailed: number
  faultedSucceeded: number
  byKind: Record<string, { failed: number; succeeded: number }>
  snapshots: number
  restoredAndCompared: number
  errorCodes: Record<string, number>
}

export interface FaultLoop {
  /**
   * One run: change, faulted backup, clean backup, invariants; with `mix`, sometimes also a
   * forget and a prune with a fault injected at a random moment, each followed by a clean prune.
   */
  run(): Promise<void>
  /** A final clean prune, then every listed restore point restored and compared. */
  finish(): Promise<void>
  /** Restores every listed restore point and compares it with the state it was taken from. */
  checkAllSnapshots(): Promise<void>
  stats: FaultLoopStats
  close(): Promise<void>
}

const WS = '/home/dev/ws'

export interface FaultLoopOptions {
  /** Mix forgets and prunes (each under an injected S3 fault) into the backups. */
  mix?: boolean
  /** Share of runs (mix mode) that also kill a child process doing a backup or prune. */
  killShare?: number
}

const S3_KINDS: FaultKind[] = ['s3-503', 's3-500', 's3-drop', 's3-cut-mid-transfer', 's3-hang']

export async function createFaultLoop(
  seed: number,
  options: FaultLoopOptions = {},
): Promise<FaultLoop> {
  const random = prng(seed)
  const cleanup: (() => unknown)[] = []
  const vm: TestVm = await createTestVm(`backup-faults-${seed}`)
  cleanup.push(() => vm.destroy())
  const local = path.join(vm.homeDir, 'dev/ws')
  const own = (p: string) => execFileSync('chown', ['-R', '-h', `${vm.dev.uid}:${vm.dev.gid}`, p])
  fs.mkdirSync(path.join(local, 'src'), { recursive: true })
  for (let i = 0; i < 40; i++) {
    fs.writeFileSync(path.join(local, 'src', `m${i}.ts`), `export const v${i} = ${i}\n`.repeat(40))
  }
  own(local)

  const sshProxy = await faultyProxy({ host: vm.ip, port: vm.port }, () => 'pass')
  const s3Proxy = await faultyS3Proxy(() => 'pass')
  cleanup.push(
    () => sshProxy.close(),
    () => s3Proxy.close(),
  )
  const s3 = cloudInfo().s3
  const prefix = `backup-faults-${seed}-${randomBytes(4).toString('hex')}`
  const storeOptions = {
    region: s3.region,
    bucket: s3.bucket,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    prefix,
  }
  // Through the proxy, with short time-outs and few retries so that a fault fails a backup fast.
  const faulty = new S3Store({
    ...storeOptions,
    endpoint: s3Proxy.endpoint,
    retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100, maxTotalMs: 3_000 },
    timeoutMs: 1_500,
  })
  // Straight to s3rver: what any other desktop would see.
  const direct = new S3Store({ ...storeOptions, endpoint: s3.endpoint })
  cleanup.push(
    () => faulty.destroy(),
    () => direct.destroy(),
  )
  const masterKey = generateMasterKey()
  await initRepository(direct, masterKey)
  const workspace = await openWorkspace(await openRepository(faulty, masterKey), 'ws', {
    create: true,
  })
  const directWorkspace = async (): Promise<Workspace> =>
    openWorkspace(await openRepository(direct, masterKey), 'ws')
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-backup-faults-'))
  cleanup.push(() => fs.rmSync(scratch, { recursive: true, force: true }))

  /** What each attempt (by tag) was taken from. */
  const manifests = new Map<string, Map<string, NodeInfo>>()
  const compared = new Set<string>()
  const stats: FaultLoopStats = {
    runs: 0,
    forgets: 0,
    forgetsFailed: 0,
    prunes: 0,
    prunesFailed: 0,
    cleanPrunes: 0,
    faultedOperations: 0,
    restoreChecks: 0,
    kills: 0,
    killsTooLate: 0,
    faultedFailed: 0,
    faultedSucceeded: 0,
    byKind: {},
    snapshots: 0,
    restoredAndCompared: 0,
    errorCodes: {},
  }
  let attempt = 0

  const connect = (): Promise<SshConnection> =>
    connectSsh({ ...vm.options(), host: sshProxy.host, port: sshProxy.port, readyTimeoutMs: 5_000 })

  const backup = async (tag: string): Promise<BackupResult> => {
    const conn = await connect()
    try {
      return await runBackup({
        workspace,
        source: sshSource(conn),
        paths: [WS],
        trigger: 'manual',
        tags: [tag],
        // Small packs: a backup stores several, so faults land between and inside uploads.
        writer: { packSize: 256 * 1024 },
      })
    } finally {
      await conn.close().catch(() => {})
    }
  }

  const change = (run: number) => {
    const size = 200_000 + Math.floor(random() * 1_200_000)
    fs.writeFileSync(path.join(local, `run-${run}.bin`), seededBytes(`${seed}/${run}`, size))
    own(path.join(local, `run-${run}.bin`))
    const edited = path.join(local, 'src', `m${Math.floor(random() * 40)}.ts`)
    fs.appendFileSync(edited, `// run ${run}\n`)
    // Mixed with forgets and prunes, old files go every run, so the workspace stays small.
    if (run > 3 && (options.mix || random() < 0.3))
      fs.rmSync(path.join(local, `run-${run - 3}.bin`), { force: true })
  }

  const inject = (kind: FaultKind, proxy: { ssh: FaultyProxy; s3: FaultyProxy }) => {
    const plan = (fault: () => ProxyFault) => {
      proxy.s3.setPlan(() => fault())
      proxy.s3.cutAll() // kept-alive connections break too
    }
    switch (kind) {
      case 'ssh-cut':
        proxy.ssh.cutAll()
        break
      case 's3-503':
        plan(() => 'slowdown')
        break
      case 's3-500':
        plan(() => 'error500')
        break
      case 's3-drop':
        plan(() => 'drop')
        break
      case 's3-cut-mid-transfer':
        plan(() => ({ cutAfterBytes: 1 + Math.floor(random() * 400_000) }))
        break
      case 's3-hang':
        plan(() => (random() < 0.7 ? 'hang' : 'pass'))
        break
      case 'none':
        break
    }
  }

  const checkListing = async () => {
    const reader = await openSnapshotReader(await directWorkspace())
    const listing = await reader.listSnapshots()
    if (listing.damaged.length > 0) {
      throw new Error(`damaged restore points listed: ${JSON.stringify(listing.damaged)}`)
    }
    for (const { id, snapshot } of listing.snapshots) {
      const tag = snapshot.tags[0]
      if (!tag || !manifests.has(tag)) throw new Error(`restore point ${id} from no known attempt`)
    }
    stats.snapshots = listing.snapshots.length
    return listing.snapshots
  }

  const checkAllSnapshots = async () => {
    const snapshots = await checkListing()
    const workspaceNow = await directWorkspace()
    for (const { id, snapshot } of snapshots) {
      if (compared.has(id)) continue
      const out = path.join(scratch, id.slice(0, 12))
      await runRestore({
        workspace: workspaceNow,
        snapshotId: id,
        target: { kind: 'local', dir: out },
      })
      const problems = compareTrees(manifests.get(snapshot.tags[0]!)!, describeTree(out), {
        mtime: 'us',
      })
      if (problems.length > 0) {
        throw new Error(
          `restore point ${id} differs from its source: ${problems.slice(0, 5).join('; ')}`,
        )
      }
      fs.rmSync(out, { recursive: true, force: true })
      compared.add(id)
      stats.restoredAndCompared++
      stats.restoreChecks++
    }
  }

  /** Runs `operation` with an S3 fault injected at a random moment; true if it failed. */
  const faulted = async (operation: string, fn: () => Promise<unknown>): Promise<boolean> => {
    const kind = S3_KINDS[Math.floor(random() * S3_KINDS.length)]!
    const delay = Math.floor(random() * 150)
    const timer = setTimeout(() => inject(kind, { ssh: sshProxy, s3: s3Proxy }), delay)
    stats.faultedOperations++
    let failed = false
    try {
      await fn()
    } catch (error) {
      failed = true
      if (!(error instanceof CairnError)) throw error
      stats.errorCodes[error.code] = (stats.errorCodes[error.code] ?? 0) + 1
    } finally {
      clearTimeout(timer)
      s3Proxy.setPlan(() => 'pass')
      s3Proxy.cutAll()
    }
    const counts = (stats.byKind[`${operation}:${kind}`] ??= { failed: 0, succeeded: 0 })
    if (failed) counts.failed++
    else counts.succeeded++
    return failed
  }

  const pruneOptions = {
    holder: 'fault loop prune',
    hostname: 'fault-loop',
    // One process, one writer at a time: what no index lists is a crashed operation's garbage.
    unindexedGraceMs: 0,
    packTargetSize: 256 * 1024,
  }

  /** A clean prune must finish the job: afterwards nothing is unindexed or left to prune. */
  const cleanPrune = async () => {
    await pruneWorkspace(workspace, pruneOptions)
    stats.cleanPrunes++
    const direct = await directWorkspace()
    const plan = await pruneWorkspace(direct, { ...pruneOptions, dryRun: true })
    const left =
      plan.removedPacks.length +
      plan.repackedPacks.length +
      plan.unindexedPacksDeleted.length +
      plan.unindexedPacksKept.length
    if (left > 0) throw new Error(`a clean prune left ${left} packs to prune`)
    // Data moved: every listed restore point is restored and compared again.
    compared.clear()
  }

  const mixed = async () => {
    if (random() < 0.5) {
      stats.forgets++
      const keepLast = 2 + Math.floor(random() * 4)
      const failed = await faulted('forget', () =>
        applyRetention(workspace, {
          policy: {
            keepLast,
            keepHourly: 0,
            keepDaily: 0,
            keepWeekly: 0,
            keepMonthly: 0,
            keepWithinHours: 0,
          },
          dryRun: false,
          holder: 'fault loop forget',
        }),
      )
      if (failed) stats.forgetsFailed++
      await checkListing()
    }
    if (random() < 0.6) {
      stats.prunes++
      const failed = await faulted('prune', () => pruneWorkspace(workspace, pruneOptions))
      if (failed) stats.prunesFailed++
      await checkListing()
      // Whatever it did before it failed (or all of it), every listed restore point restores.
      compared.clear()
      if (failed || random() < 0.3) await checkAllSnapshots()
      if (failed || random() < 0.3) await cleanPrune()
    }
  }

  /**
   * A backup or a prune in a child process (test/support/fault-child.ts), killed with SIGKILL at a
   * random moment after it opened the repository. Then: its 3 s lease expires, every listed
   * restore point restores bit for bit, and a clean prune finishes (it also deletes what a killed
   * backup uploaded without an index).
   */
  const killChild = async () => {
    const op = random() < 0.5 ? 'backup' : 'prune'
    const tag = `attempt-${attempt++}`
    if (op === 'backup') manifests.set(tag, describeTree(local))
    const job = {
      op,
      store: { ...storeOptions, endpoint: s3.endpoint },
      masterKeyHex: Buffer.from(masterKey).toString('hex'),
      dir: local,
      tag,
    }
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'fault-child.ts'), JSON.stringify(job)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    )
    const deadline = Date.now() + 30_000
    while (!out.includes('ready')) {
      if (child.exitCode !== null) throw new Error(`fault child failed to start: ${err}`)
      if (Date.now() > deadline) throw new Error('fault child did not start')
      await new Promise((r) => setTimeout(r, 10))
    }
    await new Promise((r) => setTimeout(r, Math.floor(random() * (op === 'backup' ? 400 : 300))))
    child.kill('SIGKILL')
    await exited
    stats.kills++
    stats.faultedOperations++
    if (out.includes('done')) stats.killsTooLate++
    const counts = (stats.byKind[`kill:${op}`] ??= { failed: 0, succeeded: 0 })
    if (out.includes('done')) counts.succeeded++
    else counts.failed++
    await new Promise((r) => setTimeout(r, 3_100)) // its lease expires
    await checkListing()
    compared.clear()
    await checkAllSnapshots()
    await cleanPrune()
  }

  const run = async () => {
    const n = stats.runs++
    change(n)
    const kind = KINDS[Math.floor(random() * KINDS.length)]!
    if (kind !== 'none') stats.faultedOperations++
    const tag = `attempt-${attempt++}`
    manifests.set(tag, describeTree(local))
    const delay = Math.floor(random() * 400)
    const timer = setTimeout(() => inject(kind, { ssh: sshProxy, s3: s3Proxy }), delay)
    let failed = false
    try {
      await backup(tag)
    } catch (error) {
      failed = true
      if (!(error instanceof CairnError)) throw error
      stats.errorCodes[error.code] = (stats.errorCodes[error.code] ?? 0) + 1
    } finally {
      clearTimeout(timer)
      s3Proxy.setPlan(() => 'pass')
      sshProxy.setPlan(() => 'pass')
      s3Proxy.cutAll() // hung connections go away
    }
    const counts = (stats.byKind[kind] ??= { failed: 0, succeeded: 0 })
    if (failed) {
      stats.faultedFailed++
      counts.failed++
    } else {
      stats.faultedSucceeded++
      counts.succeeded++
    }
    await checkListing()
    // The next backup succeeds and leaves nothing unindexed: what the failed one stored is reused.
    const cleanTag = `attempt-${attempt++}`
    manifests.set(cleanTag, describeTree(local))
    await backup(cleanTag)
    const { index } = await loadIndex(await directWorkspace())
    const orphans = await findUnindexedPacks(await directWorkspace(), index)
    if (orphans.length > 0)
      throw new Error(`packs left unindexed after a clean backup: ${orphans.length}`)
    await checkListing()
    if (options.mix) await mixed()
    if (options.mix && random() < (options.killShare ?? 0)) await killChild()
  }

  const finish = async () => {
    await cleanPrune()
    await checkAllSnapshots()
  }

  return {
    run,
    finish,
    checkAllSnapshots,
    stats,
    close: async () => {
      for (const fn of cleanup.reverse()) await fn()
    },
  }
}
