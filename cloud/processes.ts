import { spawn } from 'node:child_process'
import type { ChildProcess, SpawnOptions } from 'node:child_process'

// Everything the local cloud starts (sshd namespaces, dbus, gnome-keyring, s3rver) is registered
// here, so it can be stopped on stop(), on process exit, and — through the reaper — even when the
// process that started it is killed with SIGKILL and never gets to run an exit handler.

/**
 * The reaper is a detached Node process holding a pipe from us. It learns the pids we start (and
 * temp dirs we made) and, when the pipe closes (we exited, however), terminates those still alive
 * and removes the dirs. It ignores the signals
 * a terminal sends to a foreground group, so Ctrl-C on `vitest` cannot take it down first.
 */
const reaperSource = `
const pids = new Set()
const dirs = new Set()
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => {})
let buf = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (d) => {
  buf += d
  let i
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i); buf = buf.slice(i + 1)
    if (line[0] === 'D') { dirs.add(line.slice(1)); continue }
    if (line[0] === 'd') { dirs.delete(line.slice(1)); continue }
    const pid = Number(line.slice(1))
    if (!Number.isInteger(pid) || pid <= 1) continue
    if (line[0] === '+') pids.add(pid); else pids.delete(pid)
  }
})
const alive = (pid) => { try { process.kill(pid, 0); return true } catch { return false } }
const finish = () => {
  for (const dir of dirs) { try { require('fs').rmSync(dir, { recursive: true, force: true }) } catch {} }
  process.exit(0)
}
process.stdin.on('end', () => {
  for (const pid of pids) { try { process.kill(pid, 'SIGTERM') } catch {} }
  const deadline = Date.now() + 2000
  const check = () => {
    const left = [...pids].filter(alive)
    if (left.length === 0) return setTimeout(finish, 100)
    if (Date.now() > deadline) { for (const pid of left) { try { process.kill(pid, 'SIGKILL') } catch {} } return setTimeout(finish, 200) }
    setTimeout(check, 50)
  }
  check()
})
`

export interface TrackedProcess {
  readonly child: ChildProcess
  readonly pid: number
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>
  /** True once the process has exited. */
  readonly hasExited: () => boolean
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>
}

export class ProcessGroup {
  private readonly live = new Set<TrackedProcess>()
  private reaper: ChildProcess | undefined
  private closed = false
  private readonly onExit = () => {
    // Synchronous last resort for a normal exit without stop(): the reaper covers hard kills.
    for (const p of this.live) {
      try {
        p.child.kill('SIGKILL')
      } catch {
        // already gone
      }
    }
  }

  constructor() {
    process.on('exit', this.onExit)
  }

  private ensureReaper(): ChildProcess {
    if (this.reaper) return this.reaper
    const reaper = spawn(process.execPath, ['-e', reaperSource], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    })
    reaper.unref()
    // The pipe must not keep our event loop alive either.
    const stdin = reaper.stdin as unknown as { unref?: () => void } | null
    stdin?.unref?.()
    reaper.stdin?.on('error', () => {})
    this.reaper = reaper
    return reaper
  }

  private tell(line: string): void {
    if (this.closed) return
    this.ensureReaper().stdin?.write(line + '\n')
  }

  spawn(command: string, args: readonly string[], options: SpawnOptions = {}): TrackedProcess {
    // Own process group: a Ctrl-C in the terminal reaches only us, and we stop things in order.
    const child = spawn(command, args, { detached: true, ...options })
    if (child.pid === undefined) {
      // spawn failures (ENOENT) are also emitted as 'error' later; we report them here instead.
      child.once('error', () => {})
      throw new Error(`could not start ${command}: is it installed?`)
    }
    const pid = child.pid
    let done = false
    const exited = new Promise<number | string>((resolve) => {
      child.once('exit', (code, signal) => {
        done = true
        this.live.delete(tracked)
        this.tell('-' + pid)
        resolve(code ?? signal ?? 'unknown')
      })
      child.once('error', () => {
        if (!done) {
          done = true
          this.live.delete(tracked)
          resolve('error')
        }
      })
    })
    const tracked: TrackedProcess = {
      child,
      pid,
      exited,
      hasExited: () => done,
      stop: async (graceMs = 2000) => {
        if (done) return
        child.kill('SIGTERM')
        const timer = setTimeout(() => {
          if (!done) child.kill('SIGKILL')
        }, graceMs)
        await exited
        clearTimeout(timer)
      },
    }
    this.live.add(tracked)
    this.tell('+' + pid)
    return tracked
  }

  /** A temp directory the reaper removes if this process dies without cleaning up. */
  trackDir(dir: string): void {
    this.tell('D' + dir)
  }

  untrackDir(dir: string): void {
    this.tell('d' + dir)
  }

  /** Stops every process still running, then lets the reaper go. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.live].map((p) => p.stop()))
    process.off('exit', this.onExit)
    this.closed = true
    if (this.reaper) {
      this.reaper.stdin?.end()
      this.reaper = undefined
    }
  }
}
