import { CairnError } from '../../../shared/errors'

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number
  /** Backoff cap for attempt n is min(maxDelayMs, baseDelayMs * 2^n); the wait is uniform in [0, cap). */
  baseDelayMs: number
  maxDelayMs: number
  /** Give up rather than wait past this much time since the first attempt began. */
  maxTotalMs?: number
}

/** How a failed attempt should be treated. `afterMs`: the server said when to come back. */
export type RetryDecision = { retry: false } | { retry: true; afterMs?: number }

export interface RetryOptions {
  policy: RetryPolicy
  classify: (error: unknown) => RetryDecision
  signal?: AbortSignal
  /** Told about each retry (for logs); `error` is the attempt's failure. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void
  random?: () => number
  now?: () => number
}

/**
 * Runs `attempt` until it succeeds, fails with an error `classify` calls final, runs out of
 * attempts, or would wait past the time budget; then the last error is thrown as it is. Waits use
 * exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"),
 * or the server's own Retry-After / RateLimit-Reset when it gives one.
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy, classify, signal } = options
  const random = options.random ?? Math.random
  const now = options.now ?? Date.now
  const started = now()
  for (let n = 0; ; n++) {
    throwIfAborted(signal)
    try {
      return await attempt(n)
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal)
      const decision = classify(error)
      if (!decision.retry || n + 1 >= policy.maxAttempts) throw error
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n)
      const jitter = Math.floor(random() * cap)
      const delayMs =
        decision.afterMs === undefined ? jitter : decision.afterMs + Math.min(jitter, 250)
      if (policy.maxTotalMs !== undefined && now() - started + delayMs > policy.maxTotalMs)
        throw error
      options.onRetry?.({ attempt: n + 1, delayMs, error })
      await sleep(delayMs, signal)
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal))
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortReason(signal!))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortReason(signal)
}

/** What an aborted operation throws: the job runner's CairnError('cancelled') or one like it. */
export function abortReason(signal: AbortSignal): CairnError {
  const reason: unknown = signal.reason
  return reason instanceof CairnError ? reason : new CairnError('cancelled', 'Cancelled.')
}
