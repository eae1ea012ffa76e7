import type { ProbeProcess, ProbeSample } from './probe-sample'
import {
  agentName,
  isSshd,
  isVscodeExtensionHost,
  isVscodeServer,
  sshSession,
  terminalDevice,
} from './process-kinds'

/**
 * From probe samples to evidence: for each kind of activity, the latest VM time it was seen.
 * Pure: the tracker state goes in and comes out, so tests can replay any timeline.
 */

export const signalKinds = [
  /** Input read from a terminal (SSH, tmux, VS Code's terminal, a console). */
  'terminal',
  /** An SSH session began (its start time). */
  'login',
  /** VS Code's server worked, or a window connected. */
  'vscode',
  /** A coding agent used CPU, wrote to its terminal or to its transcript, or started. */
  'agent',
  /** The VM's processes (without Cairn's own) used CPU above the threshold. */
  'cpu',
  /** A file under the kept paths changed. */
  'files',
  /** The workspace (or the VM) started: the idle clock never starts earlier. */
  'start',
] as const
export type SignalKind = (typeof signalKinds)[number]

export interface Signal {
  kind: SignalKind
  /** VM time, epoch ms. */
  at: number
  /** For people: what was seen, e.g. "input on /dev/pts/1 (bash)". */
  detail: string
}

export interface EvidenceConfig {
  /** Share of one core the VM's processes must use between two probes to count as busy. */
  cpuBusyFraction: number
  /** Share of one core an agent (with its child processes) must use to count as working. */
  agentBusyFraction: number
  /** Share of one core VS Code's server (without its terminals) must use to count. */
  vscodeBusyFraction: number
  /**
   * CPU is only compared between samples at most this far apart; after a longer gap (the desktop
   * slept, the VM was unreachable) CPU is unknown until the next probe.
   */
  maxCpuGapMs: number
}

export const DEFAULT_EVIDENCE_CONFIG: EvidenceConfig = {
  cpuBusyFraction: 0.1,
  agentBusyFraction: 0.02,
  vscodeBusyFraction: 0.03,
  maxCpuGapMs: 3 * 60_000,
}

/** Terminal times move in 8-second steps; an input may be up to this much newer than shown. */
const TERMINAL_STEP_MS = 8_000
/** A process started this close before Cairn's session is not taken for Cairn's. */
const OWN_START_SLACK_MS = 5_000
/** How far a connection's sshd session may have started from the time Cairn says it connected. */
const OWN_SESSION_SLACK_MS = 60_000

/** A connection of Cairn itself to this VM: its processes are never evidence of work. */
export interface OwnClient {
  /** Client address as the VM sees it; omitted: any address. */
  ip?: string
  port: number
  /** VM time (epoch ms) the connection was opened; older processes are not Cairn's. */
  since: number
  /**
   * The pid of the connection's sshd session process on the VM (the `$PPID` of a command run over
   * it), so its work is known as Cairn's even after every command of it has exited.
   */
  sessionPid?: number
}

export interface SessionInfo {
  pid: number
  user: string
  /** `pts/0`, or `notty` (commands, port forwarding, VS Code). */
  tty: string
  startedAt: number
  client: string | null
  /** Last input on its terminal, when it has one. */
  inputAt: number | null
}

export interface AgentInfo {
  pid: number
  name: string
  startedAt: number
  /** Share of one core since the previous probe (with child processes), null if unknown. */
  cpu: number | null
  terminal: string | null
}

/** What one probe showed, beyond the signals: for the UI and the log. */
export interface Observation {
  at: number
  /** Whether CPU use since the previous probe is known (needs two samples close together). */
  cpuKnown: boolean
  /** Share of one core the VM's processes (without Cairn's) used since the previous probe. */
  cpu: number | null
  load: [number, number, number] | null
  sessions: SessionInfo[]
  agents: AgentInfo[]
  vscode: { servers: number; windows: number; cpu: number | null }
  /** The signals this sample showed (each kind's newest). */
  signals: Signal[]
}

export interface TrackerState {
  previous: ProbeSample | null
  /** Latest activity seen per kind, over every sample so far. */
  last: Partial<Record<SignalKind, Signal>>
}

export const emptyTracker: TrackerState = { previous: null, last: {} }

export interface Evidence {
  /** VM time of the sample. */
  now: number
  cpuKnown: boolean
  /** Latest activity per kind (from this and earlier samples). */
  last: Partial<Record<SignalKind, Signal>>
  /** The latest of them, or null if nothing was ever seen. */
  latest: Signal | null
}

export interface TrackInput {
  sample: ProbeSample
  /** Cairn's other connections to this VM (backups, restores): not evidence of work. */
  ownClients?: readonly OwnClient[]
  /** VM time the workspace became ready, when known (a floor for the idle clock). */
  startedAt?: number | null
  config?: EvidenceConfig
}

export function track(
  state: TrackerState,
  input: TrackInput,
): { state: TrackerState; evidence: Evidence; observation: Observation } {
  const observation = observe(state.previous, input)
  const last = { ...state.last }
  for (const signal of observation.signals) {
    const known = last[signal.kind]
    if (!known || signal.at >= known.at) last[signal.kind] = signal
  }
  let latest: Signal | null = null
  for (const signal of Object.values(last)) {
    if (signal && (!latest || signal.at > latest.at)) latest = signal
  }
  return {
    state: { previous: input.sample, last },
    evidence: { now: input.sample.now, cpuKnown: observation.cpuKnown, last, latest },
    observation,
  }
}

interface Tree {
  byPid: Map<number, ProbeProcess>
  children: Map<number, ProbeProcess[]>
}

function tree(processes: readonly ProbeProcess[]): Tree {
  const byPid = new Map<number, ProbeProcess>()
  const children = new Map<number, ProbeProcess[]>()
  for (const p of processes) byPid.set(p.pid, p)
  for (const p of processes) {
    const list = children.get(p.ppid)
    if (list) list.push(p)
    else children.set(p.ppid, [p])
  }
  return { byPid, children }
}

/** Pids of `roots` and everything below them. */
function subtree(
  t: Tree,
  roots: Iterable<number>,
  stop?: (p: ProbeProcess) => boolean,
): Set<number> {
  const seen = new Set<number>()
  const queue = [...roots]
  while (queue.length > 0) {
    const pid = queue.pop() as number
    if (seen.has(pid)) continue
    seen.add(pid)
    for (const child of t.children.get(pid) ?? []) {
      if (!stop?.(child)) queue.push(child.pid)
    }
  }
  return seen
}

function samePid(a: ProbeProcess, b: ProbeProcess): boolean {
  return a.pid === b.pid && Math.abs(a.startedAt - b.startedAt) < 1_000
}

function totalCpu(p: ProbeProcess): number {
  return p.utime + p.stime + p.cutime + p.cstime
}

/** Cairn's processes: those carrying one of its SSH connections and what descends from them. */
function ownProcesses(sample: ProbeSample, t: Tree, clients: readonly OwnClient[]): Set<number> {
  const roots: number[] = []
  for (const [pid, client] of sample.sshClients) {
    const p = t.byPid.get(pid)
    if (!p) continue
    const own = clients.some(
      (c) =>
        c.port === client.port &&
        (c.ip === undefined || c.ip === client.ip) &&
        p.startedAt >= c.since - OWN_START_SLACK_MS,
    )
    if (own) roots.push(pid)
  }
  roots.push(sample.selfPid)
  for (const c of clients) {
    const session = c.sessionPid === undefined ? undefined : t.byPid.get(c.sessionPid)
    // The same pid must still be that connection's session (pids are reused).
    if (
      session &&
      sshSession(session) &&
      Math.abs(session.startedAt - c.since) < OWN_SESSION_SLACK_MS
    ) {
      roots.push(session.pid)
    }
  }
  // Everything the same SSH connection runs is Cairn's: widen each root to its sshd session.
  const widened = roots.map((pid) => ancestors(t, pid).find((p) => sshSession(p))?.pid ?? pid)
  return subtree(t, widened)
}

/**
 * CPU (ms) each process used since the previous sample. A process that exited hands its total to
 * the parent that waited for it (cutime), so what the previous sample already counted for it is
 * taken off that parent.
 */
function cpuDeltas(previous: ProbeSample, current: ProbeSample, t: Tree): Map<number, number> {
  const before = new Map<number, ProbeProcess>()
  for (const p of previous.processes) before.set(p.pid, p)
  const deltas = new Map<number, number>()
  for (const p of current.processes) {
    const old = before.get(p.pid)
    deltas.set(p.pid, old && samePid(old, p) ? totalCpu(p) - totalCpu(old) : totalCpu(p))
  }
  for (const gone of previous.processes) {
    const now = t.byPid.get(gone.pid)
    if (now && samePid(now, gone)) continue
    const parent = t.byPid.get(gone.ppid)
    const oldParent = before.get(gone.ppid)
    if (parent && oldParent && samePid(parent, oldParent)) {
      deltas.set(parent.pid, (deltas.get(parent.pid) ?? 0) - totalCpu(gone))
    }
  }
  for (const [pid, value] of deltas) if (value < 0) deltas.set(pid, 0)
  return deltas
}

function sum(deltas: Map<number, number>, pids: Iterable<number>): number {
  let total = 0
  for (const pid of pids) total += deltas.get(pid) ?? 0
  return total
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`
}

function shortPath(path: string): string {
  const home = /^\/(?:home\/[^/]+|root)(?=\/|$)/.exec(path)
  const rel = home ? '~' + path.slice(home[0].length) : path
  return rel.length > 80 ? '…' + rel.slice(-79) : rel
}

function observe(previous: ProbeSample | null, input: TrackInput): Observation {
  const config = input.config ?? DEFAULT_EVIDENCE_CONFIG
  const sample = input.sample
  const now = sample.now
  const t = tree(sample.processes)
  const signals: Signal[] = []
  const clamp = (at: number) => Math.min(at, now)

  // The probe's own session is Cairn's from the moment its sshd session process started.
  const selfSession = ancestors(t, sample.selfPid).find((p) => sshSession(p))
  const clients: OwnClient[] = [...(input.ownClients ?? [])]
  if (sample.connection) {
    clients.push({
      ip: sample.connection.ip,
      port: sample.connection.port,
      since: selfSession?.startedAt ?? now,
    })
  }
  const own = ownProcesses(sample, t, clients)
  // sshd's listener and privileged halves collect the CPU of whole finished connections
  // (Cairn's too) when they reap them: left out. A user's session process is counted: what it
  // reaped are the user's own commands (`ssh host make`).
  const counted = (p: ProbeProcess) => !own.has(p.pid) && (!isSshd(p) || sshSession(p) !== null)

  // The idle clock starts no earlier than the workspace (or, failing that, the VM's init).
  const init = t.byPid.get(1)
  const startedAt = input.startedAt ?? init?.startedAt ?? sample.bootTime
  signals.push({ kind: 'start', at: clamp(startedAt), detail: 'the workspace started' })

  // CPU, when the previous sample is recent enough to compare with.
  const interval = previous ? now - previous.now : 0
  const cpuKnown = previous !== null && interval > 0 && interval <= config.maxCpuGapMs
  const deltas = cpuKnown && previous ? cpuDeltas(previous, sample, t) : null
  const share = (pids: Iterable<number>) =>
    deltas
      ? sum(
          deltas,
          [...pids].filter((pid) => counted(t.byPid.get(pid) as ProbeProcess)),
        ) / interval
      : null

  const countedPids = sample.processes.filter(counted).map((p) => p.pid)
  const cpu = share(countedPids)
  if (cpu !== null && cpu >= config.cpuBusyFraction && deltas) {
    const top = countedPids
      .map((pid) => ({ pid, ms: deltas.get(pid) ?? 0 }))
      .sort((a, b) => b.ms - a.ms)[0]
    const topProcess = top ? t.byPid.get(top.pid) : undefined
    signals.push({
      kind: 'cpu',
      at: now,
      detail:
        `CPU at ${percent(cpu)} of a core` +
        (topProcess && top ? ` (most: ${topProcess.comm} ${percent(top.ms / interval)})` : ''),
    })
  }

  // Terminals: input only. Output alone (a clock in tmux's status line, `top`, `watch`) would
  // keep a forgotten session alive for ever.
  const holders = new Map<string, ProbeProcess[]>()
  for (const p of sample.processes) {
    const device = terminalDevice(p.ttyNr)
    if (!device || !counted(p)) continue
    const list = holders.get(device)
    if (list) list.push(p)
    else holders.set(device, [p])
  }
  const terminals = new Map(sample.terminals.map((term) => [term.device, term]))
  for (const [device, procs] of holders) {
    const term = terminals.get(device)
    if (!term) continue
    const shell = procs.find((p) => !isSshd(p)) ?? procs[0]
    signals.push({
      kind: 'terminal',
      at: clamp(term.inputAt + TERMINAL_STEP_MS),
      detail: `input on ${device}${shell ? ` (${shell.comm})` : ''}`,
    })
  }

  // SSH sessions: a login is activity at its start; the session's existence alone is not.
  const sessions: SessionInfo[] = []
  for (const p of sample.processes) {
    const session = sshSession(p)
    if (!session || own.has(p.pid) || p.pid === selfSession?.pid) continue
    const below = subtree(t, [p.pid])
    if ([...below].some((pid) => own.has(pid))) continue
    const clientPid = [...below].find((pid) => sample.sshClients.has(pid))
    const client = clientPid === undefined ? undefined : sample.sshClients.get(clientPid)
    const device = session.tty.startsWith('pts/') ? `/dev/${session.tty}` : null
    sessions.push({
      pid: p.pid,
      user: session.user,
      tty: session.tty,
      startedAt: p.startedAt,
      client: client ? `${client.ip}:${client.port}` : null,
      inputAt: device ? (terminals.get(device)?.inputAt ?? null) : null,
    })
    signals.push({
      kind: 'login',
      at: clamp(p.startedAt),
      detail: `SSH login of ${session.user}${client ? ` from ${client.ip}` : ''} (${session.tty})`,
    })
  }

  // Coding agents: the topmost matching process with everything below it.
  const agents: AgentInfo[] = []
  const agentRoots = sample.processes.filter(
    (p) =>
      counted(p) &&
      agentName(p) !== null &&
      !ancestors(t, p.pid)
        .slice(1)
        .some((a) => agentName(a) !== null),
  )
  for (const root of agentRoots) {
    const name = agentName(root) as string
    const busy = share(subtree(t, [root.pid]))
    const device = terminalDevice(root.ttyNr)
    agents.push({ pid: root.pid, name, startedAt: root.startedAt, cpu: busy, terminal: device })
    signals.push({ kind: 'agent', at: clamp(root.startedAt), detail: `${name} started` })
    if (busy !== null && busy >= config.agentBusyFraction) {
      signals.push({ kind: 'agent', at: now, detail: `${name} working (CPU ${percent(busy)})` })
    }
    const term = device ? terminals.get(device) : undefined
    if (term) {
      // Agents show progress on their terminal while they work (spinners, streamed text).
      signals.push({
        kind: 'agent',
        at: clamp(Math.max(term.outputAt, root.startedAt) + TERMINAL_STEP_MS),
        detail: `${name} writing to ${device}`,
      })
    }
  }
  // An agent that exited since the previous probe was at work (or was just quit) until then;
  // its last CPU is now in its parent's counters, where it cannot be told apart.
  if (previous) {
    const pt = tree(previous.processes)
    for (const gone of previous.processes) {
      const now = t.byPid.get(gone.pid)
      if (now && samePid(now, gone)) continue
      const name = agentName(gone)
      if (
        name === null ||
        ancestors(pt, gone.pid)
          .slice(1)
          .some((a) => agentName(a) !== null)
      )
        continue
      signals.push({ kind: 'agent', at: sample.now, detail: `${name} exited` })
    }
  }
  const transcript = sample.agentFileChange
  if (transcript.at !== null) {
    signals.push({
      kind: 'agent',
      at: clamp(transcript.at),
      // The probe reports transcripts relative to the home directory.
      detail: transcript.path
        ? `agent transcript ~/${transcript.path} changed`
        : 'agent transcript changed',
    })
  }

  // VS Code's server: its own work (not its terminals, which count as terminals and CPU).
  const vscodeRoots = sample.processes.filter(
    (p) =>
      counted(p) &&
      isVscodeServer(p) &&
      !ancestors(t, p.pid)
        .slice(1)
        .some((a) => isVscodeServer(a)),
  )
  const hosts = sample.processes.filter((p) => counted(p) && isVscodeExtensionHost(p))
  const vscodePids = subtree(
    t,
    vscodeRoots.map((p) => p.pid),
    (p) => p.ttyNr !== 0,
  )
  const vscodeCpu = vscodeRoots.length > 0 ? share(vscodePids) : null
  if (vscodeCpu !== null && vscodeCpu >= config.vscodeBusyFraction) {
    signals.push({
      kind: 'vscode',
      at: now,
      detail: `VS Code server working (CPU ${percent(vscodeCpu)})`,
    })
  }
  for (const host of hosts) {
    signals.push({
      kind: 'vscode',
      at: clamp(host.startedAt),
      detail: 'a VS Code window connected',
    })
  }

  // Files under the kept paths.
  if (sample.fileChange.at !== null) {
    signals.push({
      kind: 'files',
      at: clamp(sample.fileChange.at),
      detail: `${sample.fileChange.path ? shortPath(sample.fileChange.path) : 'a file'} changed`,
    })
  }

  return {
    at: now,
    cpuKnown,
    cpu,
    load: sample.load,
    sessions,
    agents,
    vscode: {
      servers: vscodeRoots.length,
      windows: hosts.length,
      cpu: vscodeCpu,
    },
    signals: newestPerKind(signals),
  }
}

function newestPerKind(signals: Signal[]): Signal[] {
  const best = new Map<SignalKind, Signal>()
  for (const s of signals) {
    const known = best.get(s.kind)
    if (!known || s.at > known.at) best.set(s.kind, s)
  }
  return [...best.values()]
}

/** The process itself, then its parent, grandparent, ... as far as the sample knows them. */
function ancestors(t: Tree, pid: number): ProbeProcess[] {
  const chain: ProbeProcess[] = []
  const seen = new Set<number>()
  let p = t.byPid.get(pid)
  while (p && !seen.has(p.pid)) {
    chain.push(p)
    seen.add(p.pid)
    p = t.byPid.get(p.ppid)
  }
  return chain
}
