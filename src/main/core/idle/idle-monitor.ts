import type { EventName, EventPayload } from '../../../shared/contract'
import type { IdleSignal, IdleState } from '../../../shared/domain/idle'
import { CairnError } from '../../../shared/errors'
import type { Logger } from '../logging/logger'
import { systemClock, type Clock } from './clock'
import {
  DEFAULT_EVIDENCE_CONFIG,
  emptyTracker,
  track,
  type EvidenceConfig,
  type Evidence,
  type Observation,
  type OwnClient,
  type Signal,
  type TrackerState,
} from './evidence'
import type { IdleProbe } from './idle-probe'
import {
  DEFAULT_POLICY,
  DEFAULT_TIMEOUT_MINUTES,
  decide,
  effectiveTimings,
  type IdleDecision,
  type PolicyConfig,
  type Warning,
} from './policy'

export interface IdleEvents {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void
}

export interface IdleMonitorOptions {
  /** Where idle.state, idle.warning and idle.stop go (the core's EventBus). */
  events: IdleEvents
  /**
   * Stops a workspace (back up, verify, delete the server). The monitor calls it once per idle
   * period; once it resolves the workspace is no longer watched. If it rejects, the monitor tries
   * again no sooner than `stopRetryMs` later, after a new warning.
   */
  stopWorkspace: (workspaceId: string) => Promise<void>
  clock?: Clock
  /** Between probes; default one minute. */
  intervalMs?: number
  policy?: Partial<Omit<PolicyConfig, 'timeoutMinutes'>>
  evidence?: Partial<EvidenceConfig>
  /** File changes are looked for this far back on a workspace's first probe. */
  firstLookbackSeconds?: number
  stopRetryMs?: number
  logger?: Pick<Logger, 'info' | 'warn'>
}

export interface WatchOptions {
  probe: IdleProbe
  /** Minutes without activity before the workspace stops; null turns auto-stop off. */
  timeoutMinutes?: number | null
  /** Desktop time the workspace became ready; the idle clock never starts earlier. */
  startedAt?: number | null
}

interface Watched {
  id: string
  probe: IdleProbe
  timeoutMinutes: number | null
  startedAt: number | null
  tracker: TrackerState
  evidence: Evidence | null
  observation: Observation | null
  decision: IdleDecision | null
  warning: Warning | null
  /** The stop time last announced by idle.warning, to announce changes only. */
  announcedStopAt: number | null
  /** Desktop time. */
  postponedUntil: number | null
  /** VM time of the last successful probe. */
  lastProbeAt: number | null
  /** VM clock minus desktop clock, from the last successful probe. */
  offsetMs: number
  checkedAt: number | null
  failures: number
  error: { message: string; since: number } | null
  stopError: { message: string; at: number } | null
  stopping: boolean
  running: Promise<IdleState> | null
  timer: unknown
  ownClients: Map<number, { ip?: string; port: number; sessionPid?: number; openedAt: number }>
  nextOwnId: number
  gone: boolean
}

const FIRST_LOOKBACK_SECONDS = 24 * 3600
/** Extra look-back so a change in the second the previous probe ran is not missed. */
const LOOKBACK_MARGIN_SECONDS = 15
/** A probe that has to wait for a CPU reading before a due stop comes this soon. */
const CPU_RETRY_MS = 15_000

/**
 * Watches running workspaces: probes each one every minute over SSH, turns the samples into
 * evidence, asks the policy, and tells the UI (idle.state), warns (idle.warning) and finally asks
 * for the stop (idle.stop and `stopWorkspace`). Failed probes are reported and change nothing.
 */
export class IdleMonitor {
  private readonly clock: Clock
  private readonly intervalMs: number
  private readonly policy: Omit<PolicyConfig, 'timeoutMinutes'>
  private readonly evidenceConfig: EvidenceConfig
  private readonly watched = new Map<string, Watched>()
  private pausedUntil: number | null = null
  private disposed = false

  constructor(private readonly options: IdleMonitorOptions) {
    this.clock = options.clock ?? systemClock
    this.intervalMs = options.intervalMs ?? 60_000
    this.policy = { ...DEFAULT_POLICY, ...options.policy }
    this.evidenceConfig = { ...DEFAULT_EVIDENCE_CONFIG, ...options.evidence }
  }

  /** Starts watching a running workspace (or updates how it is watched); the first probe runs now. */
  watch(workspaceId: string, options: WatchOptions): void {
    if (this.disposed) throw new CairnError('conflict', 'Idle detection has shut down.')
    const existing = this.watched.get(workspaceId)
    if (existing) {
      if (existing.probe !== options.probe) void existing.probe.close().catch(() => {})
      existing.probe = options.probe
      if (options.timeoutMinutes !== undefined) existing.timeoutMinutes = options.timeoutMinutes
      if (options.startedAt !== undefined) existing.startedAt = options.startedAt
      existing.stopping = false
      this.schedule(existing, 0)
      return
    }
    const w: Watched = {
      id: workspaceId,
      probe: options.probe,
      timeoutMinutes:
        options.timeoutMinutes === undefined ? DEFAULT_TIMEOUT_MINUTES : options.timeoutMinutes,
      startedAt: options.startedAt ?? null,
      tracker: emptyTracker,
      evidence: null,
      observation: null,
      decision: null,
      warning: null,
      announcedStopAt: null,
      postponedUntil: null,
      lastProbeAt: null,
      offsetMs: 0,
      checkedAt: null,
      failures: 0,
      error: null,
      stopError: null,
      stopping: false,
      running: null,
      timer: null,
      ownClients: new Map(),
      nextOwnId: 1,
      gone: false,
    }
    this.watched.set(workspaceId, w)
    this.publish(w)
    this.schedule(w, 0)
  }

  /** Stops watching (the workspace stopped or was deleted) and closes its probe. */
  async unwatch(workspaceId: string): Promise<void> {
    const w = this.watched.get(workspaceId)
    if (!w) return
    this.watched.delete(workspaceId)
    w.gone = true
    this.clock.clearTimeout(w.timer)
    await w.running?.catch(() => {})
    await w.probe.close().catch(() => {})
  }

  isWatching(workspaceId: string): boolean {
    return this.watched.has(workspaceId)
  }

  /** Changes a workspace's timeout (null: off) and re-decides at once. */
  setTimeoutMinutes(workspaceId: string, minutes: number | null): IdleState {
    const w = this.get(workspaceId)
    w.timeoutMinutes = minutes
    return this.redecide(w)
  }

  /**
   * Cairn's own connections to a workspace (a backup, a restore): their processes are never taken
   * for work. `openedAt` is desktop time. Returns a function that forgets the connection.
   */
  addOwnConnection(
    workspaceId: string,
    client: { ip?: string; port: number; sessionPid?: number; openedAt?: number },
  ): () => void {
    const w = this.watched.get(workspaceId)
    if (!w) return () => {}
    const id = w.nextOwnId++
    w.ownClients.set(id, { ...client, openedAt: client.openedAt ?? this.clock.now() })
    return () => w.ownClients.delete(id)
  }

  /** No stop before `minutes` from now; a new warning comes before that stop. */
  postpone(workspaceId: string, minutes: number): IdleState {
    const w = this.get(workspaceId)
    const until = this.clock.now() + minutes * 60_000
    w.postponedUntil = Math.max(w.postponedUntil ?? 0, until)
    this.options.logger?.info('idle stop postponed', { workspaceId, minutes })
    return this.redecide(w)
  }

  /** Pauses auto-stop for every workspace. */
  pause(minutes: number): number {
    this.pausedUntil = this.clock.now() + minutes * 60_000
    this.options.logger?.info('idle auto-stop paused', { minutes })
    for (const w of this.watched.values()) this.redecide(w)
    return this.pausedUntil
  }

  resume(): void {
    this.pausedUntil = null
    for (const w of this.watched.values()) this.redecide(w)
  }

  pausedUntilTime(): number | null {
    if (this.pausedUntil !== null && this.pausedUntil <= this.clock.now()) this.pausedUntil = null
    return this.pausedUntil
  }

  states(): IdleState[] {
    return [...this.watched.values()].map((w) => this.view(w))
  }

  state(workspaceId: string): IdleState {
    return this.view(this.get(workspaceId))
  }

  /** Probes now (tests; "check now" in the UI) and returns the resulting state. */
  checkNow(workspaceId: string): Promise<IdleState> {
    const w = this.get(workspaceId)
    this.clock.clearTimeout(w.timer)
    w.timer = null
    return this.check(w)
  }

  async dispose(): Promise<void> {
    this.disposed = true
    await Promise.all([...this.watched.keys()].map((id) => this.unwatch(id)))
  }

  private get(workspaceId: string): Watched {
    const w = this.watched.get(workspaceId)
    if (!w) {
      throw new CairnError(
        'not_found',
        `Cairn is not watching the workspace ${workspaceId} for idleness: it is not running.`,
      )
    }
    return w
  }

  private schedule(w: Watched, delayMs: number): void {
    if (w.gone || this.disposed) return
    this.clock.clearTimeout(w.timer)
    w.timer = this.clock.setTimeout(() => {
      w.timer = null
      void this.check(w).catch(() => {})
    }, delayMs)
  }

  private check(w: Watched): Promise<IdleState> {
    w.running ??= this.runCheck(w).finally(() => (w.running = null))
    return w.running
  }

  private async runCheck(w: Watched): Promise<IdleState> {
    if (w.stopping) return this.view(w)
    const started = this.clock.now()
    const lookback =
      w.lastProbeAt === null
        ? (this.options.firstLookbackSeconds ?? FIRST_LOOKBACK_SECONDS)
        : Math.max(0, (started + w.offsetMs - w.lastProbeAt) / 1000) + LOOKBACK_MARGIN_SECONDS
    let sample
    try {
      sample = await w.probe.run(lookback)
    } catch (error) {
      if (w.gone) return this.view(w)
      return this.failed(w, error)
    }
    if (w.gone) return this.view(w)
    const finished = this.clock.now()
    w.offsetMs = sample.now - (started + finished) / 2
    const toVm = (local: number | null) => (local === null ? null : local + w.offsetMs)
    const ownClients: OwnClient[] = [...w.ownClients.values()].map((c) => ({
      ...(c.ip ? { ip: c.ip } : {}),
      ...(c.sessionPid ? { sessionPid: c.sessionPid } : {}),
      port: c.port,
      since: c.openedAt + w.offsetMs,
    }))
    const tracked = track(w.tracker, {
      sample,
      ownClients,
      startedAt: toVm(w.startedAt),
      config: this.evidenceConfig,
    })
    const decision = decide({
      now: sample.now,
      config: { ...this.policy, timeoutMinutes: w.timeoutMinutes },
      latest: tracked.evidence.latest,
      cpuKnown: tracked.evidence.cpuKnown,
      previousProbeAt: w.lastProbeAt,
      warning: w.warning,
      postponedUntil: toVm(w.postponedUntil),
      pausedUntil: toVm(this.pausedUntilTime()),
    })
    w.tracker = tracked.state
    w.evidence = tracked.evidence
    w.observation = tracked.observation
    w.lastProbeAt = sample.now
    w.checkedAt = finished
    w.failures = 0
    w.error = null
    return this.apply(w, decision, true)
  }

  private failed(w: Watched, error: unknown): IdleState {
    w.failures += 1
    const message =
      error instanceof CairnError ? error.message : 'The idle check failed unexpectedly.'
    w.error = { message, since: w.error?.since ?? this.clock.now() }
    if (w.failures === 1 || w.failures % 10 === 0) {
      this.options.logger?.warn('idle check failed', {
        workspaceId: w.id,
        failures: w.failures,
        message,
      })
    }
    const view = this.publish(w)
    this.schedule(w, this.intervalMs)
    return view
  }

  /** Re-runs the policy on the last evidence after a user action; never stops without a probe. */
  private redecide(w: Watched): IdleState {
    if (!w.evidence || w.stopping) return this.publish(w)
    const now = this.clock.now() + w.offsetMs
    const toVm = (local: number | null) => (local === null ? null : local + w.offsetMs)
    const decision = decide({
      now,
      config: { ...this.policy, timeoutMinutes: w.timeoutMinutes },
      latest: w.evidence.latest,
      cpuKnown: false,
      previousProbeAt: w.lastProbeAt,
      warning: w.warning,
      postponedUntil: toVm(w.postponedUntil),
      pausedUntil: toVm(this.pausedUntilTime()),
    })
    return this.apply(w, decision, false)
  }

  private apply(w: Watched, decision: IdleDecision, fromProbe: boolean): IdleState {
    w.decision = decision
    w.warning = decision.warning
    if (decision.state !== 'warn' && decision.state !== 'stop') w.announcedStopAt = null
    const view = this.publish(w)
    if (decision.state === 'warn' && w.announcedStopAt !== decision.stopAt) {
      w.announcedStopAt = decision.stopAt
      this.options.events.emit('idle.warning', {
        workspaceId: w.id,
        stopAt: this.iso(decision.stopAt - w.offsetMs),
        reason: this.reason(w, decision.since, decision.lastActivity),
        lastActivity: this.signalView(w, decision.lastActivity),
      })
    }
    if (decision.state === 'stop' && fromProbe) {
      this.requestStop(w, decision)
      return this.view(w)
    }
    if (fromProbe) this.schedule(w, this.nextDelay(w, decision))
    return view
  }

  /** The next probe: every interval, but exactly at the warning time and at the stop time. */
  private nextDelay(w: Watched, decision: IdleDecision): number {
    const vmNow = this.clock.now() + w.offsetMs
    let delay = this.intervalMs
    if (decision.state === 'warn') {
      delay = decision.waitingFor === 'cpu' ? Math.min(delay, CPU_RETRY_MS) : delay
      delay = Math.min(delay, decision.stopAt - vmNow)
    } else if (decision.state === 'idle') {
      const timings = effectiveTimings({ ...this.policy, timeoutMinutes: w.timeoutMinutes })
      if (timings) delay = Math.min(delay, decision.stopAt - timings.warnLeadMs - vmNow)
    }
    return Math.max(1_000, delay)
  }

  private requestStop(w: Watched, decision: Extract<IdleDecision, { state: 'stop' }>): void {
    w.stopping = true
    const reason = this.reason(w, decision.since, decision.lastActivity)
    this.options.logger?.info('idle workspace stop requested', { workspaceId: w.id, reason })
    this.options.events.emit('idle.stop', {
      workspaceId: w.id,
      reason,
      idleSince: this.iso(decision.since - w.offsetMs),
      lastActivity: this.signalView(w, decision.lastActivity),
    })
    this.publish(w)
    this.options.stopWorkspace(w.id).then(
      () => {
        // Unless the workspace was watched afresh meanwhile (its stop failed and it runs on).
        if (this.watched.get(w.id) === w && w.stopping) void this.unwatch(w.id)
      },
      (error: unknown) => {
        if (w.gone) return
        const message =
          error instanceof CairnError ? error.message : 'Stopping the workspace failed.'
        this.options.logger?.warn('idle stop failed', { workspaceId: w.id, message })
        w.stopping = false
        w.warning = null
        w.announcedStopAt = null
        const retry = this.clock.now() + (this.options.stopRetryMs ?? 10 * 60_000)
        w.postponedUntil = Math.max(w.postponedUntil ?? 0, retry)
        w.stopError = { message, at: this.clock.now() }
        this.publish(w)
        this.schedule(w, this.intervalMs)
      },
    )
  }

  private reason(w: Watched, since: number, last: Signal | null): string {
    const minutes = Math.max(0, Math.floor(((w.lastProbeAt ?? since) - since) / 60_000))
    const idleFor = `${minutes} minute${minutes === 1 ? '' : 's'}`
    if (!last || last.kind === 'start') return `Nothing has happened since it started (${idleFor}).`
    return `No activity for ${idleFor}; the last was: ${last.detail}.`
  }

  private publish(w: Watched): IdleState {
    const view = this.view(w)
    this.options.events.emit('idle.state', view)
    return view
  }

  private iso(local: number): string {
    return new Date(local).toISOString()
  }

  private signalView(w: Watched, signal: Signal | null): IdleSignal | null {
    if (!signal) return null
    return { kind: signal.kind, at: this.iso(signal.at - w.offsetMs), detail: signal.detail }
  }

  private view(w: Watched): IdleState {
    const d = w.decision
    const o = w.observation
    const vm = (t: number) => this.iso(t - w.offsetMs)
    const paused = this.pausedUntilTime()
    let state: IdleState['state'] = d === null ? 'unknown' : d.state === 'stop' ? 'warn' : d.state
    if (w.stopping) state = 'stopping'
    return {
      workspaceId: w.id,
      state,
      disabledReason: d?.state === 'disabled' ? d.reason : null,
      timeoutMinutes: w.timeoutMinutes,
      idleSince: d && d.state !== 'disabled' ? vm(d.since) : null,
      stopAt:
        d && (d.state === 'idle' || d.state === 'warn' || d.state === 'stop') ? vm(d.stopAt) : null,
      lastActivity: d && d.state !== 'disabled' ? this.signalView(w, d.lastActivity) : null,
      signals: Object.values(w.evidence?.last ?? {}).map(
        (s) => this.signalView(w, s as Signal) as IdleSignal,
      ),
      postponedUntil:
        w.postponedUntil !== null && w.postponedUntil > this.clock.now()
          ? this.iso(w.postponedUntil)
          : null,
      pausedUntil: paused === null ? null : this.iso(paused),
      checkedAt: w.checkedAt === null ? null : this.iso(w.checkedAt),
      cpuKnown: w.evidence?.cpuKnown ?? false,
      cpu: o?.cpu ?? null,
      sessions: (o?.sessions ?? []).map((s) => ({
        user: s.user,
        tty: s.tty,
        client: s.client,
        startedAt: vm(s.startedAt),
        inputAt: s.inputAt === null ? null : vm(s.inputAt),
      })),
      agents: (o?.agents ?? []).map((a) => ({
        name: a.name,
        pid: a.pid,
        startedAt: vm(a.startedAt),
        cpu: a.cpu,
      })),
      vscodeWindows: o?.vscode.windows ?? 0,
      probeError: w.error
        ? {
            message: w.error.message,
            since: this.iso(w.error.since),
            failures: Math.max(1, w.failures),
          }
        : null,
      stopError: w.stopError
        ? { message: w.stopError.message, at: this.iso(w.stopError.at) }
        : null,
    }
  }
}
