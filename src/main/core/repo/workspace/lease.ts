import { randomBytes } from 'node:crypto'
import { CairnError } from '../../../../shared/errors'
import { KDF_INFO } from '../crypto/kdf'
import { openFile, readSealedHeader, sealFile } from '../crypto/sealed-file'
import type { Workspace } from './workspace'

/**
 * A lease: one writer at a time changes a workspace's data (backup, prune, key rotation).
 * It is an object `locks/<acquired ms, 15 digits>-<16 random hex>` (sealed, kind "lease") holding
 * who took it and until when. Taking one: look for live leases (refuse if any), write ours
 * create-only, list again; if another live lease sorts before ours (we raced), remove ours and
 * refuse. Renewing writes a new object with the same acquisition time (so it still sorts first)
 * and removes the old one. A lease nobody renews expires, so a crashed desktop blocks no one for
 * longer than its time-to-live. Reads (restore, verify) take no lease.
 */
export interface LeaseRecord {
  holder: string
  hostname: string
  acquired: string
  expires: string
}

export interface LeaseOptions {
  /** What holds it, for people: e.g. "backup job 42". */
  holder: string
  hostname: string
  /** Lifetime without renewal (default 10 minutes). */
  ttlMs?: number
  now?: () => Date
  signal?: AbortSignal
}

const LEASE_NAME = /\/locks\/(\d{15})-([0-9a-f]{16})$/

/**
 * Lease objects this process wrote but could not remove, or could not be sure it wrote (a release,
 * renewal or create that failed half-way, e.g. the store dropped the connection). They are ours
 * and no longer held, so this process ignores them and removes them on its next acquire, instead of
 * locking itself out until they expire. Other processes still see them as held until then, which
 * is the safe side. Object names carry 64 random bits, so a name identifies one lease.
 */
const abandoned = new Set<string>()
const ABANDONED_LIMIT = 1000

function abandon(key: string): void {
  if (abandoned.size >= ABANDONED_LIMIT) abandoned.delete(abandoned.values().next().value!)
  abandoned.add(key)
}

async function removeAbandoned(workspace: Workspace, signal?: AbortSignal): Promise<void> {
  for (const key of abandoned) {
    if (!key.startsWith(workspace.paths.locks)) continue
    try {
      await workspace.store.delete(key, { signal })
      abandoned.delete(key)
    } catch {
      // Still unreachable: it stays ignored here and expires for everyone else.
    }
  }
}

interface FoundLease {
  key: string
  record: LeaseRecord | null
}

export class Lease {
  private timer: NodeJS.Timeout | null = null
  private released = false
  /** When the lease object last written was written: it holds until then plus the TTL. */
  private writtenMs: number

  constructor(
    private readonly workspace: Workspace,
    private key: string,
    private readonly acquiredMs: number,
    private readonly options: LeaseOptions,
  ) {
    this.writtenMs = this.nowMs()
  }

  private nowMs(): number {
    return (this.options.now ?? (() => new Date()))().getTime()
  }

  /**
   * Throws unless the lease is certainly still ours: written (or renewed) less than its TTL ago,
   * with a margin. A writer that stalled (a sleeping laptop, renewals failing) longer than that may
   * have lost it to another desktop, whose prune may have removed data this writer relies on; it
   * must not commit. Called right before a restore point is written.
   */
  assertHeld(): void {
    const ttl = this.options.ttlMs ?? DEFAULT_TTL
    const margin = Math.min(30_000, ttl / 10)
    if (this.released || this.nowMs() - this.writtenMs >= ttl - margin) {
      throw new CairnError(
        'conflict',
        `This ${this.options.holder} could not keep its hold on the workspace (the computer slept ` +
          'or the storage stopped answering), so another Cairn may have changed it meanwhile. ' +
          'Nothing was committed; run it again.',
      )
    }
  }

  get objectKey(): string {
    return this.key
  }

  /** Extends the lease by its time-to-live. */
  async renew(): Promise<void> {
    if (this.released) throw new Error('lease already released')
    const next = leaseKey(this.workspace, this.acquiredMs)
    // The new object's expiry counts from when it was written (writeLease reads the clock first).
    const written = this.nowMs()
    try {
      await writeLease(this.workspace, next, this.acquiredMs, this.options)
    } catch (error) {
      abandon(next)
      throw error
    }
    const old = this.key
    this.key = next
    this.writtenMs = written
    await this.workspace.store.delete(old).catch((error: unknown) => {
      abandon(old)
      throw error
    })
  }

  /** Renews every `intervalMs` until released (timer does not keep the process alive). */
  keepAlive(
    intervalMs = (this.options.ttlMs ?? DEFAULT_TTL) / 3,
    onError?: (error: unknown) => void,
  ): void {
    this.timer ??= setInterval(() => {
      this.renew().catch((error: unknown) => onError?.(error))
    }, intervalMs)
    this.timer.unref()
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    if (this.released) return
    this.released = true
    await this.workspace.store.delete(this.key).catch((error: unknown) => {
      abandon(this.key)
      throw error
    })
  }
}

const DEFAULT_TTL = 10 * 60 * 1000

function leaseKey(workspace: Workspace, acquiredMs: number): string {
  return `${workspace.paths.locks}${String(acquiredMs).padStart(15, '0')}-${randomBytes(8).toString('hex')}`
}

async function writeLease(
  workspace: Workspace,
  key: string,
  acquiredMs: number,
  options: LeaseOptions,
): Promise<void> {
  const now = (options.now ?? (() => new Date()))()
  const record: LeaseRecord = {
    holder: options.holder,
    hostname: options.hostname,
    acquired: new Date(acquiredMs).toISOString(),
    expires: new Date(now.getTime() + (options.ttlMs ?? DEFAULT_TTL)).toISOString(),
  }
  const material = workspace.keys.current
  const bytes = await sealFile(
    'lease',
    material.version,
    material.dataKey,
    KDF_INFO.workspaceFile,
    Buffer.from(JSON.stringify(record)),
  )
  await workspace.store.put(key, bytes, { createOnly: true, signal: options.signal })
}

async function readLeases(workspace: Workspace, signal?: AbortSignal): Promise<FoundLease[]> {
  const found: FoundLease[] = []
  for await (const object of workspace.store.list(workspace.paths.locks, { signal })) {
    if (!LEASE_NAME.test(object.key)) continue
    let record: LeaseRecord | null = null
    try {
      const bytes = await workspace.store.get(object.key, { signal })
      const key = workspace.keys.get(readSealedHeader(bytes).keyVersion)
      if (key)
        record = JSON.parse(
          (await openFile(bytes, 'lease', key.dataKey, KDF_INFO.workspaceFile)).toString('utf8'),
        ) as LeaseRecord
    } catch (error) {
      // Released between LIST and GET: gone. Unreadable: treated as held until it expires by name.
      if (error instanceof CairnError && error.code === 'not_found') continue
    }
    found.push({ key: object.key, record })
  }
  return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

function isLive(lease: FoundLease, nowMs: number, ttlMs: number): boolean {
  if (lease.record) return Date.parse(lease.record.expires) > nowMs
  // An unreadable lease counts from its name's acquisition time.
  const acquired = Number(LEASE_NAME.exec(lease.key)?.[1] ?? 0)
  return acquired + ttlMs > nowMs
}

function heldBy(lease: FoundLease, nowMs = Date.now()): CairnError {
  const age = (iso: string) => `${Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000))} s`
  const who = lease.record
    ? `${lease.record.holder} on ${lease.record.hostname} (taken ${age(lease.record.acquired)} ago at ${lease.record.acquired}, held until ${lease.record.expires} unless renewed)`
    : 'another Cairn'
  return new CairnError(
    'conflict',
    `This workspace's backups are being changed by ${who}. Try again when it has finished.`,
  )
}

/** Takes the workspace's lease or fails with `conflict` naming the holder. */
export async function acquireLease(workspace: Workspace, options: LeaseOptions): Promise<Lease> {
  const now = options.now ?? (() => new Date())
  const ttl = options.ttlMs ?? DEFAULT_TTL
  await removeAbandoned(workspace, options.signal)
  const held = (lease: FoundLease) =>
    !abandoned.has(lease.key) && isLive(lease, now().getTime(), ttl)
  const live = (await readLeases(workspace, options.signal)).filter(held)
  if (live.length > 0) throw heldBy(live[0]!, now().getTime())
  const acquiredMs = now().getTime()
  const key = leaseKey(workspace, acquiredMs)
  try {
    await writeLease(workspace, key, acquiredMs, options)
  } catch (error) {
    // The create may have landed before the failure was seen.
    abandon(key)
    throw error
  }
  let after: FoundLease[]
  try {
    after = (await readLeases(workspace, options.signal)).filter(
      (lease) => lease.key === key || held(lease),
    )
  } catch (error) {
    // Ours is stored but we cannot tell whether we won: it is not held by anyone, so this process
    // ignores and removes it (otherwise the next job here would wait for it to expire).
    abandon(key)
    throw error
  }
  if (after[0]?.key !== key) {
    await workspace.store.delete(key).catch((error: unknown) => {
      abandon(key)
      throw error
    })
    throw heldBy(after[0]!, now().getTime())
  }
  return new Lease(workspace, key, acquiredMs, options)
}

/** Removes leases that have expired (left by crashed writers); returns how many. */
export async function removeExpiredLeases(
  workspace: Workspace,
  options: { now?: () => Date; ttlMs?: number } = {},
): Promise<number> {
  const nowMs = (options.now ?? (() => new Date()))().getTime()
  let removed = 0
  for (const lease of await readLeases(workspace)) {
    if (!isLive(lease, nowMs, options.ttlMs ?? DEFAULT_TTL)) {
      await workspace.store.delete(lease.key)
      removed++
    }
  }
  return removed
}
