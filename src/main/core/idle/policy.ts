import type { Signal } from './evidence'

/**
 * The idle policy: pure, no I/O, no clock of its own. Every time is on the VM's clock (epoch ms),
 * so the desktop's clock, its sleep or its restarts never decide anything.
 *
 * A workspace is idle once no signal showed activity for its timeout. Before stopping, Cairn
 * warns (normally 5 minutes ahead) and the user can postpone. A stop is only ever decided on a
 * fresh, successful probe whose CPU reading is known, and never earlier than `minNoticeMs` after
 * the warning the user could see (so after the desktop slept through the timeout, the first probe
 * warns at once and the stop follows `minNoticeMs` later instead of happening on wake-up).
 */

export const DEFAULT_TIMEOUT_MINUTES = 30

export interface PolicyConfig {
  /** Minutes without activity before the workspace stops; null: auto-stop is off. */
  timeoutMinutes: number | null
  /** How long before the stop the warning is given (capped at half the timeout). */
  warnLeadMs: number
  /** The least time between the warning the user could see and the stop. */
  minNoticeMs: number
  /** Activity this recent makes the state `active` rather than `idle`. */
  activeWindowMs: number
  /**
   * Probes further apart than this mean the desktop was away (asleep, closed, offline): a
   * warning given before the gap may not have been seen, so it no longer counts.
   */
  gapMs: number
}

export const DEFAULT_POLICY: Omit<PolicyConfig, 'timeoutMinutes'> = {
  warnLeadMs: 5 * 60_000,
  minNoticeMs: 2 * 60_000,
  activeWindowMs: 2 * 60_000,
  gapMs: 3 * 60_000,
}

/** A warning the user was given: the stop it announced may not come earlier. */
export interface Warning {
  issuedAt: number
  stopAt: number
}

export interface PolicyInput {
  /** The VM clock at this probe. */
  now: number
  config: PolicyConfig
  /** The latest activity seen (including the workspace's start), or null if none is known. */
  latest: Signal | null
  /** Whether CPU use is known at this probe (two samples close together). */
  cpuKnown: boolean
  /** VM time of the previous successful probe, null on the first one. */
  previousProbeAt: number | null
  /** The warning from the previous decision, if one was given. */
  warning: Warning | null
  /** The user postponed the stop until then. */
  postponedUntil: number | null
  /** Auto-stop is paused (for every workspace) until then. */
  pausedUntil: number | null
}

export type IdleDecision =
  | { state: 'disabled'; reason: 'off' | 'paused'; until: number | null; warning: null }
  | { state: 'active'; since: number; lastActivity: Signal | null; warning: null }
  | { state: 'idle'; since: number; stopAt: number; lastActivity: Signal | null; warning: null }
  | {
      state: 'warn'
      since: number
      stopAt: number
      lastActivity: Signal | null
      warning: Warning
      /** Why the stop waits although stopAt passed (CPU still unknown). */
      waitingFor: 'cpu' | null
    }
  | { state: 'stop'; since: number; stopAt: number; lastActivity: Signal | null; warning: Warning }

export function effectiveTimings(config: PolicyConfig): {
  timeoutMs: number
  warnLeadMs: number
  minNoticeMs: number
} | null {
  if (config.timeoutMinutes === null) return null
  const timeoutMs = config.timeoutMinutes * 60_000
  const warnLeadMs = Math.min(config.warnLeadMs, timeoutMs / 2)
  return { timeoutMs, warnLeadMs, minNoticeMs: Math.min(config.minNoticeMs, warnLeadMs) }
}

export function decide(input: PolicyInput): IdleDecision {
  const { now, config } = input
  const timings = effectiveTimings(config)
  if (timings === null) return { state: 'disabled', reason: 'off', until: null, warning: null }
  if (input.pausedUntil !== null && input.pausedUntil > now) {
    return { state: 'disabled', reason: 'paused', until: input.pausedUntil, warning: null }
  }
  const { timeoutMs, warnLeadMs, minNoticeMs } = timings

  // With no evidence at all, the idle clock starts now: never stop on an empty picture.
  const lastActivity = input.latest
  const since = Math.min(lastActivity?.at ?? now, now)

  // A warning given before a gap in the probes (or before a pause) may never have been seen.
  const gap = input.previousProbeAt === null || now - input.previousProbeAt > config.gapMs
  const standing = gap ? null : input.warning

  let stopAt = since + timeoutMs
  if (input.postponedUntil !== null) stopAt = Math.max(stopAt, input.postponedUntil)

  if (now < stopAt - warnLeadMs) {
    return now - since < config.activeWindowMs
      ? { state: 'active', since, lastActivity, warning: null }
      : { state: 'idle', since, stopAt, lastActivity, warning: null }
  }

  // Inside the warning window. An existing warning holds its stop time (never earlier); a new one
  // leaves the user at least minNoticeMs.
  const warning: Warning = standing
    ? { issuedAt: standing.issuedAt, stopAt: Math.max(stopAt, standing.stopAt) }
    : { issuedAt: now, stopAt: Math.max(stopAt, now + minNoticeMs) }
  if (now < warning.stopAt) {
    return { state: 'warn', since, stopAt: warning.stopAt, lastActivity, warning, waitingFor: null }
  }
  if (!input.cpuKnown) {
    return {
      state: 'warn',
      since,
      stopAt: warning.stopAt,
      lastActivity,
      warning,
      waitingFor: 'cpu',
    }
  }
  return { state: 'stop', since, stopAt: warning.stopAt, lastActivity, warning }
}
