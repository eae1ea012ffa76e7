import { randomBytes } from 'node:crypto'
import type { Image, Location, ServerType } from './catalog'
import type { ActionFailure, FaultRule } from './control-types'
import { defaultMessageFor, defaultStatusFor } from './control-types'
import { ApiError } from './errors'

// One Hetzner project: what a token sees. Servers, keys, actions, its rate limit and the faults
// tests injected for it.

export type ServerStatus =
  | 'initializing'
  | 'starting'
  | 'running'
  | 'stopping'
  | 'off'
  | 'deleting'
  | 'rebuilding'
  | 'migrating'
  | 'unknown'

export interface ServerRecord {
  id: number
  name: string
  status: ServerStatus
  created: string
  labels: Record<string, string>
  serverType: ServerType
  image: Image
  location: Location
  ip: string
  ipv4Id: number
  ipv6Id: number
  ipv6: string
  userData: string | null
  rootKeys: string[]
  /** Set once deletion went through: background work for it must stop. */
  gone: boolean
  /** Present while the server is held in "initializing" by the control plane. */
  release?: () => void
}

export interface SshKeyRecord {
  id: number
  name: string
  fingerprint: string
  public_key: string
  labels: Record<string, string>
  created: string
}

export interface ActionRecord {
  id: number
  command: string
  status: 'running' | 'success' | 'error'
  startedAt: number
  finishedAt: number | null
  durationMs: number
  finalProgress: number
  resources: { id: number; type: string }[]
  error: { code: string; message: string } | null
}

interface ActiveFault extends FaultRule {
  id: string
  remaining: number | undefined
}

interface ActiveFailure {
  command: string | undefined
  remaining: number
  code: string
  message: string
}

/** Hetzner timestamps: ISO 8601 with +00:00 and no milliseconds. */
export function timestamp(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00')
}

/** A token shaped like Hetzner's (64 alphanumerics). */
export function newToken(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  return [...randomBytes(64)].map((b) => alphabet[b % alphabet.length]).join('')
}

let nextId = { server: 52_000_000, action: 1_800_000_000, sshKey: 21_000_000, ip: 80_000_000 }
export function newId(kind: keyof typeof nextId): number {
  nextId = { ...nextId, [kind]: nextId[kind] + 1 }
  return nextId[kind]
}

function pathMatches(pattern: string, path: string): boolean {
  const p = pattern.replace(/^\/v1/, '').split('/').filter(Boolean)
  const s = path.split('/').filter(Boolean)
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]
    if (seg === '**') return true
    if (i >= s.length) return false
    if (seg === '*' || seg?.startsWith(':')) continue
    if (seg !== s[i]) return false
  }
  return p.length === s.length
}

export interface ProjectDefaults {
  actionDurationMs: number
  bootDelayMs: number
}

export class Project {
  readonly servers = new Map<number, ServerRecord>()
  readonly sshKeys = new Map<number, SshKeyRecord>()
  readonly actions = new Map<number, ActionRecord>()
  actionDurationMs: number
  bootDelayMs: number
  holds = 0
  /** Created servers whose sshd stops once they booted (control: withoutSsh). */
  noSsh = 0
  private faults: ActiveFault[] = []
  private failures: ActiveFailure[] = []
  private faultCounter = 0
  rateLimit = 3600
  private rateRemaining = 3600
  private rateAt = Date.now()

  constructor(
    readonly id: string,
    readonly token: string,
    private readonly defaults: ProjectDefaults,
  ) {
    this.actionDurationMs = defaults.actionDurationMs
    this.bootDelayMs = defaults.bootDelayMs
  }

  reset(): void {
    this.faults = []
    this.failures = []
    this.holds = 0
    this.noSsh = 0
    this.actionDurationMs = this.defaults.actionDurationMs
    this.bootDelayMs = this.defaults.bootDelayMs
    this.rateLimit = 3600
    this.rateRemaining = 3600
    this.rateAt = Date.now()
    for (const s of this.servers.values()) s.release?.()
  }

  // --- rate limit: `limit` per hour, refilling continuously (1/s for 3600) ---

  private refill(): void {
    const now = Date.now()
    this.rateRemaining = Math.min(
      this.rateLimit,
      this.rateRemaining + ((now - this.rateAt) / 3_600_000) * this.rateLimit,
    )
    this.rateAt = now
  }

  /** Takes one request from the bucket; false when it is empty. */
  consume(): boolean {
    this.refill()
    if (this.rateRemaining < 1) return false
    this.rateRemaining -= 1
    return true
  }

  setRateLimit(limit?: number, remaining?: number): void {
    this.refill()
    if (limit !== undefined) this.rateLimit = limit
    if (remaining !== undefined) this.rateRemaining = remaining
    this.rateRemaining = Math.min(this.rateRemaining, this.rateLimit)
  }

  rateHeaders(forceEmpty = false): Record<string, string> {
    this.refill()
    const remaining = forceEmpty ? 0 : Math.floor(this.rateRemaining)
    const missing = this.rateLimit - (forceEmpty ? 0 : this.rateRemaining)
    const secondsToFull = Math.ceil((missing / this.rateLimit) * 3600)
    return {
      'RateLimit-Limit': String(this.rateLimit),
      'RateLimit-Remaining': String(remaining),
      'RateLimit-Reset': String(Math.floor(Date.now() / 1000) + secondsToFull),
    }
  }

  // --- faults ---

  addFault(rule: FaultRule): string {
    const id = `fault-${++this.faultCounter}`
    this.faults.push({ ...rule, id, remaining: rule.times })
    return id
  }

  clearFaults(id?: string): void {
    this.faults = id === undefined ? [] : this.faults.filter((f) => f.id !== id)
  }

  /** The error to answer instead of handling the request, if an injected fault matches. */
  takeFault(method: string, path: string): ApiError | undefined {
    const fault = this.faults.find(
      (f) =>
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (f.path === undefined || pathMatches(f.path, path)),
    )
    if (!fault) return undefined
    if (fault.remaining !== undefined) {
      fault.remaining -= 1
      if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault)
    }
    const headers = fault.code === 'rate_limit_exceeded' ? this.rateHeaders(true) : {}
    return new ApiError(
      fault.status ?? defaultStatusFor(fault.code),
      fault.code,
      fault.message ?? defaultMessageFor(fault.code),
      fault.details ?? {},
      headers,
    )
  }

  addActionFailure(failure: ActionFailure): void {
    this.failures.push({
      command: failure.command,
      remaining: failure.times ?? 1,
      code: failure.code ?? 'action_failed',
      message: failure.message ?? 'Action failed',
    })
  }

  /** Decides, when an action starts, whether it will end in error. */
  takeActionFailure(command: string): { code: string; message: string } | undefined {
    const failure = this.failures.find((f) => f.command === undefined || f.command === command)
    if (!failure) return undefined
    failure.remaining -= 1
    if (failure.remaining <= 0) this.failures = this.failures.filter((f) => f !== failure)
    return { code: failure.code, message: failure.message }
  }

  takeHold(): boolean {
    if (this.holds <= 0) return false
    this.holds -= 1
    return true
  }

  takeNoSsh(): boolean {
    if (this.noSsh <= 0) return false
    this.noSsh -= 1
    return true
  }

  // --- actions ---

  newAction(
    command: string,
    resources: { id: number; type: string }[],
    durationMs = this.actionDurationMs,
  ): ActionRecord {
    const action: ActionRecord = {
      id: newId('action'),
      command,
      status: 'running',
      startedAt: Date.now(),
      finishedAt: null,
      durationMs: Math.max(1, durationMs),
      finalProgress: 0,
      resources,
      error: null,
    }
    this.actions.set(action.id, action)
    return action
  }

  finishAction(action: ActionRecord, error?: { code: string; message: string }): void {
    if (action.status !== 'running') return
    action.finalProgress = error ? progressOf(action) : 100
    action.status = error ? 'error' : 'success'
    action.error = error ?? null
    action.finishedAt = Date.now()
  }

  runningActionFor(serverId: number): ActionRecord | undefined {
    for (const a of this.actions.values()) {
      if (
        a.status === 'running' &&
        a.resources.some((r) => r.type === 'server' && r.id === serverId)
      )
        return a
    }
    return undefined
  }
}

export function progressOf(action: ActionRecord): number {
  if (action.status !== 'running') return action.finalProgress
  return Math.min(99, Math.floor(((Date.now() - action.startedAt) / action.durationMs) * 100))
}

export function actionJson(action: ActionRecord) {
  return {
    id: action.id,
    command: action.command,
    status: action.status,
    progress: progressOf(action),
    started: timestamp(action.startedAt),
    finished: action.finishedAt === null ? null : timestamp(action.finishedAt),
    resources: action.resources,
    error: action.error,
  }
}
