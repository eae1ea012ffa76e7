import type { RetryDecision } from '../net/retry'

/** An HTTP answer Hetzner gave with an error status, before it is turned into a CairnError. */
export class HetznerHttpError extends Error {
  constructor(
    readonly status: number,
    /** Hetzner's error code (`locked`, `placement_error`...), null when the body was not theirs. */
    readonly apiCode: string | null,
    readonly apiMessage: string | null,
    /** When the server said we may come back (epoch ms), for 429. */
    readonly retryAt: number | null,
  ) {
    super(`HTTP ${status}${apiCode ? ` ${apiCode}` : ''}`)
  }
}

/** No HTTP answer at all. `sent`: the request may have reached Hetzner before the failure. */
export class NetworkError extends Error {
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
    readonly sent: boolean,
  ) {
    super(reason)
  }
}

/**
 * Hetzner refused the request before doing anything (the docs say "please retry" for these), so
 * even a create can be sent again.
 */
const REFUSALS = new Set([
  'rate_limit_exceeded',
  'conflict',
  'locked',
  'unavailable',
  'maintenance',
])

/** Failures where the request may or may not have been carried out. */
const UNCERTAIN = new Set(['timeout', 'server_error', 'service_error'])

/** No capacity for this server type where it was asked for; another location may have some. */
export const CAPACITY_CODES = new Set(['placement_error', 'resource_unavailable'])

/**
 * How a failed attempt is treated:
 * - `retry`: send it again after a backoff (or the server's `afterMs`);
 * - `uncertain`: the request may have been carried out (a timeout after sending, a 5xx). Safe to
 *   repeat only if it is idempotent; a create must first look whether its resource exists;
 * - `final`: give up and report.
 */
export type FailureKind =
  { kind: 'retry'; afterMs?: number } | { kind: 'uncertain' } | { kind: 'final' }

export function classifyFailure(error: unknown, now = Date.now()): FailureKind {
  if (error instanceof HetznerHttpError) {
    if (error.status === 429 || error.apiCode === 'rate_limit_exceeded') {
      return { kind: 'retry', afterMs: Math.max(0, (error.retryAt ?? now) - now) }
    }
    if (error.apiCode !== null && REFUSALS.has(error.apiCode)) return { kind: 'retry' }
    if (error.apiCode !== null && UNCERTAIN.has(error.apiCode)) return { kind: 'uncertain' }
    if (error.status >= 500) return { kind: 'uncertain' }
    return { kind: 'final' }
  }
  if (error instanceof NetworkError) {
    if (!error.retryable) return { kind: 'final' }
    return error.sent ? { kind: 'uncertain' } : { kind: 'retry' }
  }
  return { kind: 'final' }
}

/** The retry decision for a request: uncertain outcomes are retried only when idempotent. */
export function retryDecision(error: unknown, idempotent: boolean): RetryDecision {
  const failure = classifyFailure(error)
  if (failure.kind === 'retry') {
    return failure.afterMs === undefined
      ? { retry: true }
      : { retry: true, afterMs: failure.afterMs }
  }
  if (failure.kind === 'uncertain') return { retry: idempotent }
  return { retry: false }
}

/**
 * When a 429 says we may retry (epoch ms). Retry-After (seconds) wins when sent. Otherwise Hetzner
 * sends RateLimit-Limit (requests per hour, refilled continuously) and RateLimit-Reset (the Unix
 * time at which the bucket is *full* again): one request is possible again after 3600/limit
 * seconds, so we wait that long, or until the reset if that comes sooner.
 */
export function retryAt(headers: Headers, now = Date.now()): number | null {
  const retryAfter = Number(headers.get('retry-after'))
  if (headers.has('retry-after') && Number.isFinite(retryAfter)) return now + retryAfter * 1000
  const reset = Number(headers.get('ratelimit-reset'))
  const limit = Number(headers.get('ratelimit-limit'))
  const untilReset =
    headers.has('ratelimit-reset') && Number.isFinite(reset) && reset > 0 ? reset * 1000 : null
  const untilOne = Number.isFinite(limit) && limit > 0 ? now + Math.ceil(3_600_000 / limit) : null
  if (untilReset !== null && untilOne !== null) return Math.min(untilReset, untilOne)
  return untilReset ?? untilOne
}

export function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } })?.cause
  const code = cause?.code ?? (error as { code?: unknown })?.code
  return typeof code === 'string' ? code : undefined
}

/** Failures that happen before a byte of the request could have reached the server. */
const NOT_SENT = new Set([
  'ENOTFOUND',
  'EAI_NONAME',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
])

/** A fetch failure as a NetworkError (never carries the request, so never the token). */
export function networkErrorFrom(error: unknown): NetworkError {
  const code = errorCode(error)
  const retryable = code !== 'ENOTFOUND' && code !== 'ECONNREFUSED' && code !== 'EAI_NONAME'
  return new NetworkError(describeNetworkError(code), retryable, !NOT_SENT.has(code ?? ''))
}

export function describeNetworkError(code: string | undefined): string {
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_NONAME':
      return 'the host name does not resolve'
    case 'EAI_AGAIN':
      return 'name lookup failed for now'
    case 'ECONNREFUSED':
      return 'the connection was refused'
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was dropped'
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connecting timed out'
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return 'its TLS certificate is not valid'
    default:
      return code ? `network error ${code}` : 'network error'
  }
}
