/**
 * Runs one measured command as a child process under GNU time (`/usr/bin/time`), which reports
 * the child's wall time, peak RSS and CPU time the same way for Cairn (node) and restic (Go).
 */
import { spawn } from 'node:child_process'
import { open, readFile } from 'node:fs/promises'
import { loadavg } from 'node:os'

export interface Measured {
  /** Wall time of the whole process (ms). */
  wallMs: number
  maxRssKiB: number
  userMs: number
  systemMs: number
  exitCode: number | null
  /** Load average (1 min) just before the start: other work on the machine. */
  loadBefore: number
  stdoutFile: string
  stderrFile: string
}

export const TIME_BIN = '/usr/bin/time'

/** Output of GNU time goes to its own file (-o) so the command's stderr stays clean. */
export async function measure(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; logPrefix: string; timeoutMs?: number; cwd?: string },
): Promise<Measured> {
  const timeFile = `${options.logPrefix}.time`
  const stdoutFile = `${options.logPrefix}.stdout`
  const stderrFile = `${options.logPrefix}.stderr`
  const out = await open(stdoutFile, 'w')
  const err = await open(stderrFile, 'w')
  const loadBefore = loadavg()[0] ?? 0
  const started = performance.now()
  const child = spawn(TIME_BIN, ['-o', timeFile, '-f', '%e %M %U %S %x', command, ...args], {
    stdio: ['ignore', out.fd, err.fd],
    env: options.env ?? process.env,
    cwd: options.cwd,
  })
  const timer = options.timeoutMs
    ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    : null
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code) => resolve(code))
  })
  if (timer) clearTimeout(timer)
  const wallMs = performance.now() - started
  await out.close()
  await err.close()
  const timeText = (await readFile(timeFile, 'utf8')).trim().split('\n').pop() ?? ''
  const [, rss, user, sys, code] = timeText.split(' ')
  return {
    wallMs,
    maxRssKiB: Number(rss),
    userMs: Number(user) * 1000,
    systemMs: Number(sys) * 1000,
    exitCode: code === undefined ? exitCode : Number(code),
    loadBefore,
    stdoutFile,
    stderrFile,
  }
}

export async function tail(file: string, chars = 2000): Promise<string> {
  return (await readFile(file, 'utf8').catch(() => '')).slice(-chars)
}
