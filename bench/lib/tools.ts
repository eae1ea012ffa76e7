/**
 * The two contestants, each operation one measured child process: Cairn (bench/cairn-op.ts,
 * bundled) and restic 0.14 (the Debian package). Both reach the same s3rver through the same
 * counting proxy, or write to a folder on the same disk.
 */
import { readFileSync } from 'node:fs'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { CairnOpResult, CairnOpSpec } from '../cairn-op'
import { measure, tail, type Measured } from './measure'
import type { ProxyCounts, S3Proxy } from './s3-proxy'
import type { LocalS3 } from '../../cloud/index'

/** Node flags from bin/cairn.js's shebang line (read, so the bench cannot drift from it). */
const CAIRN_NODE_FLAGS = readFileSync(new URL('../../bin/cairn.js', import.meta.url), 'utf8')
  .split('\n', 1)[0]!
  .replace(/^#!\/usr\/bin\/env -S node ?/, '')
  .split(' ')
  .filter(Boolean)

export type Op =
  | 'full backup'
  | 'unchanged backup'
  | '1% change backup'
  | 'restore (local)'
  | 'verify (full)'
  | 'restore (ssh, fresh VM)'

export interface OpMeasurement {
  tool: 'cairn' | 'restic'
  op: Op
  round: number
  measured: Measured
  /** Cairn: the operation alone, without process start and module loading. */
  opMs?: number
  /** Cairn over SSH: CPU time of the VM's side (sshd, find, tar). */
  vmCpuMs?: number
  /** Requests and bytes as the proxy saw them (S3 only). */
  proxy?: ProxyCounts
  /** Cairn's own S3Store/FolderStore counters. */
  store?: CairnOpResult['requests']
  /** restic's --json summary or Cairn's result detail. */
  detail?: unknown
  /** Cairn: sampled peaks of heap and buffer memory (MiB). */
  memoryPeaksMiB?: Record<string, number>
  /** Cairn: when each pipeline phase started. */
  phases?: CairnOpResult['phases']
  /** Paths of CPU profiles written for this operation. */
  profiles?: string[]
}

export type RepoKind = 's3' | 'folder'

export interface ToolContext {
  /** This round's directory (repositories, caches, logs). */
  runDir: string
  /** Rounds of a run use their own repository prefixes. */
  round: number
  s3: LocalS3
  proxy: S3Proxy
  repoKind: RepoKind
  timeoutMs: number
  log: (line: string) => void
}

export class OpFailed extends Error {}

function check(m: Measured, what: string, stderr: string): void {
  if (m.exitCode !== 0) throw new OpFailed(`${what} failed (exit ${m.exitCode}):\n${stderr}`)
}

export class Restic {
  private readonly env: NodeJS.ProcessEnv
  private readonly repo: string
  private readonly args: string[]
  private n = 0

  constructor(private readonly ctx: ToolContext) {
    this.env = {
      ...process.env,
      RESTIC_PASSWORD: 'cairn-bench',
      AWS_ACCESS_KEY_ID: ctx.s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ctx.s3.secretAccessKey,
      RESTIC_CACHE_DIR: path.join(ctx.runDir, 'restic-cache'),
    }
    this.repo =
      ctx.repoKind === 's3'
        ? `s3:${ctx.proxy.endpoint}/${ctx.s3.bucket}/restic-bench-${ctx.round}`
        : path.join(ctx.runDir, 'restic-repo')
    this.args = ['-r', this.repo, ...(ctx.repoKind === 's3' ? ['--cacert', ctx.proxy.caFile] : [])]
  }

  private async run(name: string, args: string[]): Promise<{ m: Measured; proxy: ProxyCounts }> {
    const prefix = path.join(this.ctx.runDir, 'logs', `restic-${++this.n}-${name}`)
    await mkdir(path.dirname(prefix), { recursive: true })
    this.ctx.proxy.reset()
    const m = await measure('restic', [...this.args, ...args], {
      env: this.env,
      logPrefix: prefix,
      timeoutMs: this.ctx.timeoutMs,
    })
    const proxy = this.ctx.proxy.counts()
    check(m, `restic ${name}`, await tail(m.stderrFile))
    return { m, proxy }
  }

  async init(): Promise<void> {
    await this.run('init', ['init'])
  }

  async backup(op: Op, dir: string): Promise<OpMeasurement> {
    const { m, proxy } = await this.run('backup', ['backup', '--json', '--host', 'bench', dir])
    const lines = (await readFile(m.stdoutFile, 'utf8')).trim().split('\n')
    const summary = lines
      .map((l) => {
        try {
          return JSON.parse(l) as { message_type?: string }
        } catch {
          return {}
        }
      })
      .find((j) => j.message_type === 'summary')
    return { tool: 'restic', op, round: this.ctx.round, measured: m, proxy, detail: summary }
  }

  async restore(op: Op, target: string): Promise<OpMeasurement> {
    const { m, proxy } = await this.run('restore', ['restore', 'latest', '--target', target])
    return { tool: 'restic', op, round: this.ctx.round, measured: m, proxy }
  }

  async verify(op: Op): Promise<OpMeasurement> {
    const { m, proxy } = await this.run('check', ['check', '--read-data'])
    return {
      tool: 'restic',
      op,
      round: this.ctx.round,
      measured: m,
      proxy,
      detail: (await tail(m.stdoutFile, 400)).trim(),
    }
  }
}

export interface SshTarget {
  host: string
  port: number
  keyFile: string
  hostKey: string
}

export class Cairn {
  private n = 0
  private readonly masterKeyFile: string
  private readonly repo: CairnOpSpec['repo']

  constructor(
    private readonly ctx: ToolContext,
    private readonly bundle: string,
    private readonly profileDir: string | null,
    private readonly extraEnv: Record<string, string> = {},
  ) {
    this.masterKeyFile = path.join(ctx.runDir, 'master-key.hex')
    this.repo =
      ctx.repoKind === 's3'
        ? {
            kind: 's3',
            endpoint: ctx.proxy.endpoint,
            bucket: ctx.s3.bucket,
            prefix: `cairn-bench-${ctx.round}`,
            accessKeyId: ctx.s3.accessKeyId,
            secretAccessKey: ctx.s3.secretAccessKey,
          }
        : { kind: 'folder', path: path.join(ctx.runDir, 'cairn-repo') }
  }

  private async run(
    name: string,
    op: Op | null,
    extra: Pick<CairnOpSpec, 'op' | 'source' | 'target'>,
  ): Promise<OpMeasurement> {
    const i = ++this.n
    const prefix = path.join(this.ctx.runDir, 'logs', `cairn-${i}-${name}`)
    await mkdir(path.dirname(prefix), { recursive: true })
    const spec: CairnOpSpec = {
      ...extra,
      repo: this.repo,
      masterKeyFile: this.masterKeyFile,
      workspaceId: 'bench-workspace',
      indexCacheDir: path.join(this.ctx.runDir, 'cairn-index-cache'),
      resultFile: `${prefix}.result.json`,
    }
    await writeFile(`${prefix}.spec.json`, JSON.stringify(spec, null, 2))
    const profDir = this.profileDir && op ? path.join(this.profileDir, `cairn-${i}-${name}`) : null
    // The V8 flag the `cairn` command runs with (bin/cairn.js): measured as users run it.
    const nodeArgs = [
      ...CAIRN_NODE_FLAGS,
      ...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []),
    ]
    this.ctx.proxy.reset()
    const m = await measure(process.execPath, [...nodeArgs, this.bundle, `${prefix}.spec.json`], {
      env: { ...process.env, ...this.extraEnv, NODE_EXTRA_CA_CERTS: this.ctx.proxy.caFile },
      logPrefix: prefix,
      timeoutMs: this.ctx.timeoutMs,
    })
    const proxy = this.ctx.proxy.counts()
    check(m, `cairn ${name}`, await tail(m.stderrFile))
    const result = JSON.parse(await readFile(spec.resultFile, 'utf8')) as CairnOpResult
    const profiles = profDir
      ? (await readdir(profDir)).map((f) => path.join(profDir, f))
      : undefined
    return {
      tool: 'cairn',
      op: op ?? 'full backup',
      round: this.ctx.round,
      measured: m,
      opMs: result.durationMs,
      ...(this.ctx.repoKind === 's3' ? { proxy } : {}),
      store: result.requests,
      detail: result.detail,
      phases: result.phases,
      memoryPeaksMiB: result.memoryPeaksMiB,
      ...(profiles ? { profiles } : {}),
    }
  }

  async init(masterKeyHex: string): Promise<void> {
    await writeFile(this.masterKeyFile, masterKeyHex + '\n', { mode: 0o600 })
    // The folder backend wants an existing folder (it never creates the user's repository root).
    if (this.repo.kind === 'folder') await mkdir(this.repo.path, { recursive: true })
    await this.run('init', null, { op: 'init' })
  }

  backup(op: Op, ssh: SshTarget, dir: string): Promise<OpMeasurement> {
    return this.run('backup', op, {
      op: 'backup',
      source: {
        host: ssh.host,
        port: ssh.port,
        username: 'dev',
        keyFile: ssh.keyFile,
        hostKey: ssh.hostKey,
        path: dir,
      },
    })
  }

  restoreLocal(op: Op, dir: string): Promise<OpMeasurement> {
    return this.run('restore', op, { op: 'restore', target: { kind: 'local', dir } })
  }

  restoreSsh(op: Op, ssh: SshTarget, dir: string): Promise<OpMeasurement> {
    return this.run('restore-ssh', op, {
      op: 'restore',
      target: {
        kind: 'ssh',
        host: ssh.host,
        port: ssh.port,
        username: 'dev',
        keyFile: ssh.keyFile,
        hostKey: ssh.hostKey,
        dir,
      },
    })
  }

  verify(op: Op): Promise<OpMeasurement> {
    return this.run('verify', op, { op: 'verify' })
  }
}
