import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cloudInfo } from '../../support/cloud-info'
import type { TestVm } from '../../support/remote-vm'
import { knownHostsName } from '../../support/ssh-names'

const root = join(import.meta.dirname, '../../..')
export const CLI = join(root, 'out/main/cli.js')

function newest(path: string): number {
  let stat
  try {
    stat = statSync(path)
  } catch {
    return 0
  }
  if (!stat.isDirectory()) return stat.mtimeMs
  let latest = stat.mtimeMs
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)))
  return latest
}

/**
 * Builds out/main/cli.js when it is missing or older than its sources (the same check as
 * scripts/serve.mjs, on the inputs of the main bundle). Test files run in parallel workers, so
 * the build is serialized with a lock directory; a worker that waited re-checks and usually finds
 * the CLI fresh.
 */
export async function ensureCliBuilt(): Promise<void> {
  const inputs = ['src/cli', 'src/main', 'src/shared', 'package.json', 'electron.vite.config.ts']
  const stale = () => {
    let built: number
    try {
      built = statSync(CLI).mtimeMs
    } catch {
      return true
    }
    return Math.max(...inputs.map((p) => newest(join(root, p)))) > built
  }
  if (!stale()) return
  const lock = join(tmpdir(), 'cairn-cli-build.lock')
  const deadline = Date.now() + 180_000
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      // Another worker builds; a lock older than the deadline is from a killed run.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 180_000) rmSync(lock, { recursive: true })
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for another CLI build')
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  try {
    if (!stale()) return
    const result = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], {
      cwd: root,
      encoding: 'utf8',
    })
    if (result.status !== 0) throw new Error(`electron-vite build failed:\n${result.stderr}`)
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** stdout parsed as JSON (throws if it is not). */
  json<T = unknown>(): T
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv
  input?: string
  cwd?: string
  /** Called with the child once it runs (e.g. to send SIGINT). */
  onSpawn?: (child: ReturnType<typeof spawn>) => void
}

/** The CLI's cache (index files) of every test run: a temp folder, never the user's ~/.cache. */
const CACHE_DIR = join(tmpdir(), `cairn-cli-test-cache-${process.pid}`)

/** Runs `node out/main/cli.js args…` and collects its output. */
export function runCairn(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? root,
      env: { ...process.env, CAIRN_CACHE_DIR: CACHE_DIR, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        stdout,
        stderr,
        json: <T>() => {
          try {
            return JSON.parse(stdout) as T
          } catch {
            throw new Error(`not JSON (exit ${code}):\n${stdout}\n--- stderr:\n${stderr}`)
          }
        },
      }),
    )
    child.stdin.end(options.input ?? '')
    options.onSpawn?.(child)
  })
}

/** A fresh keychain namespace (service name) in the local cloud's private keyring. */
export function keychainEnv(): NodeJS.ProcessEnv {
  return { CAIRN_KEYCHAIN_SERVICE: `Cairn-cli-it-${randomBytes(4).toString('hex')}` }
}

/** The local cloud's S3 as the CLI takes it: the AWS variables and a fresh prefix. */
export function s3Repo(): { repo: string; env: NodeJS.ProcessEnv } {
  const s3 = cloudInfo().s3
  return {
    repo: `s3://${s3.bucket}/cli-it-${randomBytes(4).toString('hex')}`,
    env: {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: s3.region,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    },
  }
}

/** Writes the VM's login key and a known_hosts line for it; returns the SSH flags. */
export function sshFlagsFor(vm: TestVm, dir: string): string[] {
  const identity = join(dir, `id-${vm.ip}`)
  const knownHosts = join(dir, `known_hosts-${vm.ip}`)
  writeFileSync(identity, vm.userKey, { mode: 0o600 })
  writeFileSync(knownHosts, `${knownHostsName(vm.ip, vm.port)} ${vm.hostPublic}\n`)
  return ['--identity', identity, '--known-hosts', knownHosts]
}
