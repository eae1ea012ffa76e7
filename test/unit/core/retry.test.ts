import { describe, expect, it } from 'vitest'
import { CairnError } from '../../../src/shared/errors'
import { withRetry } from '../../../src/main/core/net/retry'

const policy = { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 40 }

describe('withRetry', () => {
  it('retries retryable failures with capped, jittered backoff and returns the success', async () => {
    const delays: number[] = []
    let calls = 0
    const result = await withRetry(
      async () => {
        if (++calls < 4) throw new Error('flaky')
        return 'ok'
      },
      {
        policy,
        classify: () => ({ retry: true }),
        random: () => 0.999,
        onRetry: ({ delayMs }) => delays.push(delayMs),
      },
    )
    expect(result).toBe('ok')
    expect(calls).toBe(4)
    expect(delays).toEqual([9, 19, 39]) // full jitter with random ~1: just under 10, 20, 40 (cap)
  })

  it('stops at maxAttempts and on final errors, throwing the last error', async () => {
    let calls = 0
    await expect(
      withRetry(async () => Promise.reject(new Error(`fail ${++calls}`)), {
        policy,
        classify: () => ({ retry: true }),
        random: () => 0,
      }),
    ).rejects.toThrow('fail 5')
    calls = 0
    await expect(
      withRetry(async () => Promise.reject(new Error(`fail ${++calls}`)), {
        policy,
        classify: () => ({ retry: false }),
      }),
    ).rejects.toThrow('fail 1')
  })

  it('gives up instead of waiting past the time budget (e.g. a long rate-limit reset)', async () => {
    let calls = 0
    const started = Date.now()
    await expect(
      withRetry(async () => Promise.reject(new Error(`limited ${++calls}`)), {
        policy: { ...policy, maxTotalMs: 1000 },
        classify: () => ({ retry: true, afterMs: 60_000 }),
      }),
    ).rejects.toThrow('limited 1')
    expect(Date.now() - started).toBeLessThan(500)
  })

  it('stops waiting when aborted, with a cancelled error', async () => {
    const controller = new AbortController()
    const pending = withRetry(async () => Promise.reject(new Error('x')), {
      policy: { maxAttempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 },
      classify: () => ({ retry: true }),
      random: () => 0.5,
      signal: controller.signal,
    })
    setTimeout(() => controller.abort(), 20)
    const error = await pending.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CairnError)
    expect((error as CairnError).code).toBe('cancelled')
  })
})
