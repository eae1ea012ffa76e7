import type {
  ProbeProcess,
  ProbeSample,
  ProbeTerminal,
} from '../../../src/main/core/idle/probe-sample'

/**
 * A simulated workspace VM for the idle tests: a timeline of what people and programs do, and the
 * probe samples a real VM would give for it at any moment (processes with CPU counters that add
 * up the way the kernel's do, terminals with 8-second time steps, file change times).
 */

export type SimActivity =
  /** A key pressed in the terminal (pts/1, a tmux pane that exists from the start). */
  | { kind: 'typing'; at: number }
  /** A file saved under the kept paths. */
  | { kind: 'file'; at: number }
  /** Someone logs in over SSH (the session stays open). */
  | { kind: 'login'; at: number }
  /** A build started from the terminal: 100% of a core from start to end, then it exits. */
  | { kind: 'build'; start: number; end: number }
  /**
   * A coding agent: started at `start`, works (CPU, transcript lines every 20 s) until `end`,
   * then sits idle until `exit` (or for ever).
   */
  | { kind: 'agent'; start: number; end: number; exit?: number; tty?: boolean }

export const PTS1 = 136 * 256 + 1
const TERMINAL = '/dev/pts/1'
export const OWN_PORT = 40001
const AGENT_CPU = 0.3
const TICK = 10

export class SimVm {
  readonly activities: SimActivity[] = []

  constructor(
    /** VM time the VM booted (its init started). */
    readonly bootedAt: number,
  ) {}

  add(...activities: SimActivity[]): this {
    this.activities.push(...activities)
    return this
  }

  /** Times of activities that leave a timestamp (a person or an agent did something then). */
  stampedTimes(): number[] {
    const times: number[] = []
    for (const a of this.activities) {
      if (a.kind === 'typing' || a.kind === 'file' || a.kind === 'login') times.push(a.at)
      else if (a.kind === 'build')
        times.push(a.start) // typed to start it
      else {
        times.push(a.start)
        for (const w of transcriptWrites(a)) times.push(w)
      }
    }
    return times.sort((x, y) => x - y)
  }

  /** [start, end] of work that only shows as CPU. */
  cpuIntervals(): Array<{ start: number; end: number; level: number }> {
    return this.activities.flatMap((a) =>
      a.kind === 'build'
        ? [{ start: a.start, end: a.end, level: 1 }]
        : a.kind === 'agent'
          ? [{ start: a.start, end: a.end, level: AGENT_CPU }]
          : [],
    )
  }

  /**
   * When agents exited. An exit leaves no timestamp on the VM: the monitor sees it only if it saw
   * the agent before, and dates it to the probe that noticed.
   */
  agentExits(): Array<{ start: number; exit: number }> {
    return this.activities.flatMap((a) =>
      a.kind === 'agent' && a.exit !== undefined ? [{ start: a.start, exit: a.exit }] : [],
    )
  }

  /** The time of the last activity of any kind (CPU work counts until it ends). */
  lastActivity(): number {
    let last = this.bootedAt
    for (const t of this.stampedTimes()) last = Math.max(last, t)
    for (const c of this.cpuIntervals()) last = Math.max(last, c.end)
    return last
  }

  sample(now: number, lookbackSeconds: number): ProbeSample {
    const horizon = now - lookbackSeconds * 1000
    const processes: ProbeProcess[] = []
    const proc = (p: Partial<ProbeProcess> & Pick<ProbeProcess, 'pid' | 'ppid' | 'comm'>) => {
      processes.push({
        ttyNr: 0,
        utime: 0,
        stime: 0,
        cutime: 0,
        cstime: 0,
        startedAt: this.bootedAt,
        cmdline: p.comm,
        ...p,
      })
    }
    proc({ pid: 1, ppid: 0, comm: 'systemd', cmdline: '/sbin/init' })
    proc({ pid: 10, ppid: 1, comm: 'sshd', cmdline: 'sshd: /usr/sbin/sshd -D [listener]' })
    // Cairn's own probe session: busy, but never evidence.
    proc({ pid: 50, ppid: 10, comm: 'sshd', cmdline: 'sshd: dev@notty', startedAt: now - 30_000 })
    proc({ pid: 51, ppid: 50, comm: 'sh', utime: 40, startedAt: now - 100 })
    // And a backup of Cairn's, reading every file at 90% of a core for ever.
    proc({
      pid: 52,
      ppid: 50,
      comm: 'tar',
      utime: (now - this.bootedAt) * 0.9,
      startedAt: this.bootedAt,
    })
    proc({ pid: 20, ppid: 1, comm: 'tmux: server', cmdline: 'tmux' })

    // The shell in the tmux pane; finished builds were its children, so their CPU is in cutime.
    let finishedBuilds = 0
    let exitedAgents = { init: 0, shell: 0 }
    let pid = 1000
    for (const a of this.activities) {
      pid++
      if (a.kind === 'build' && a.start <= now) {
        const used = cpuBetween(a.start, Math.min(a.end, now), 1)
        if (a.end <= now) {
          finishedBuilds += used
        } else {
          proc({ pid, ppid: 21, comm: 'make', ttyNr: PTS1, startedAt: a.start, cutime: used / 2 })
          proc({
            pid: pid + 50_000,
            ppid: pid,
            comm: 'cc1',
            ttyNr: PTS1,
            startedAt: a.start,
            utime: used / 2,
          })
        }
      }
      if (a.kind === 'agent' && a.exit !== undefined && a.exit <= now) {
        const used = cpuBetween(a.start, a.end, AGENT_CPU)
        exitedAgents = a.tty
          ? { ...exitedAgents, shell: exitedAgents.shell + used }
          : { ...exitedAgents, init: exitedAgents.init + used }
      }
      if (a.kind === 'agent' && a.start <= now && (a.exit === undefined || now < a.exit)) {
        proc({
          pid,
          ppid: a.tty ? 21 : 1,
          comm: 'node',
          cmdline: 'node /home/dev/.npm-global/bin/claude --resume',
          ttyNr: a.tty ? PTS1 : 0,
          startedAt: a.start,
          utime: cpuBetween(a.start, Math.min(a.end, now), AGENT_CPU),
        })
      }
    }
    proc({
      pid: 21,
      ppid: 20,
      comm: 'bash',
      ttyNr: PTS1,
      cutime: finishedBuilds + exitedAgents.shell,
    })
    const init = processes[0] as ProbeProcess
    init.cutime = exitedAgents.init

    for (const a of this.activities) {
      if (a.kind !== 'login' || a.at > now) continue
      pid++
      proc({ pid, ppid: 10, comm: 'sshd', cmdline: 'sshd: dev@pts/2', startedAt: a.at })
      proc({ pid: pid + 1, ppid: pid, comm: 'bash', ttyNr: 136 * 256 + 2, startedAt: a.at })
    }

    const terminals: ProbeTerminal[] = [
      { device: TERMINAL, inputAt: this.terminalInput(now), outputAt: this.terminalOutput(now) },
    ]
    const sshClients = new Map<number, { ip: string; port: number }>([
      [51, { ip: '10.0.0.1', port: OWN_PORT }],
    ])
    const files = this.activities
      .filter((a): a is Extract<SimActivity, { kind: 'file' }> => a.kind === 'file')
      .map((a) => a.at)
      .filter((t) => t > horizon && t <= now)
    const transcripts = this.activities
      .flatMap((a) => (a.kind === 'agent' ? transcriptWrites(a) : []))
      .filter((t) => t > horizon && t <= now)
    return {
      now,
      horizon,
      selfPid: 51,
      connection: { ip: '10.0.0.1', port: OWN_PORT },
      bootTime: this.bootedAt - 5_000,
      systemCpu: null,
      load: [0, 0, 0],
      processes: processes.map((p) => ({
        ...p,
        utime: round(p.utime),
        cutime: round(p.cutime),
      })),
      terminals,
      sshClients,
      fileChange: newest(files, '/home/dev/project/main.ts'),
      agentFileChange: newest(transcripts, '/home/dev/.claude/projects/p/s.jsonl'),
    }
  }

  /** The kernel's atime of the tty: updated only when an input falls in a new 8-second step. */
  private terminalInput(now: number): number {
    const inputs = this.activities
      .flatMap((a) => (a.kind === 'typing' ? [a.at] : a.kind === 'build' ? [a.start] : []))
      .filter((t) => t <= now)
      .sort((x, y) => x - y)
    let stored = Math.floor(this.bootedAt / 1000)
    for (const t of inputs) {
      const sec = Math.floor(t / 1000)
      if ((sec ^ stored) & ~7) stored = sec
    }
    return stored * 1000
  }

  private terminalOutput(now: number): number {
    let last = this.bootedAt
    for (const a of this.activities) {
      if (a.kind === 'agent' && a.tty && a.start <= now) last = Math.max(last, Math.min(a.end, now))
    }
    return Math.floor(last / 8000) * 8000
  }
}

function cpuBetween(start: number, end: number, level: number): number {
  return end > start ? (end - start) * level : 0
}

/** CPU counters move in clock ticks. */
function round(ms: number): number {
  return Math.floor(ms / TICK) * TICK
}

function transcriptWrites(a: Extract<SimActivity, { kind: 'agent' }>): number[] {
  const writes: number[] = []
  for (let t = a.start; t <= a.end; t += 20_000) writes.push(t)
  return writes
}

function newest(times: number[], path: string) {
  if (times.length === 0) return { count: 0, at: null, path: null }
  return { count: times.length, at: Math.max(...times), path }
}
