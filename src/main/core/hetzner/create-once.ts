import { CairnError } from '../../../shared/errors'
import { withRetry } from '../net/retry'
import type { HetznerClient } from './hetzner-client'
import { classifyFailure, HetznerHttpError, retryDecision } from './http-failure'

/** The attempt failed in a way that may have created the thing, Cairn looked, and it is not there. */
class CheckedAbsent extends Error {
  constructor(readonly failure: unknown) {
    super('checked: not created')
  }
}

export interface CreateOnceOptions<T> {
  client: HetznerClient
  path: string
  body: unknown
  signal?: AbortSignal
  /** Reads the create answer. */
  parse: (body: unknown) => T | Promise<T>
  /**
   * Finds what an earlier attempt of this very create made (by a name or fingerprint Hetzner keeps
   * unique, plus a token only this create carries), or null.
   */
  lookup: () => Promise<T | null>
  /** e.g. `the server "ws-1"`, for messages. */
  what: string
}

/**
 * POSTs a create at most once in effect. Hetzner's create calls are not idempotent, so:
 * - a refusal (429, `locked`, `conflict`, `unavailable`, `maintenance`) is retried with backoff:
 *   nothing was created;
 * - an uncertain failure (no answer after sending, a timeout, a 5xx) is followed by a lookup; the
 *   thing found is returned (`recovered: true`), otherwise the create is sent again;
 * - `uniqueness_error` (the name or key exists) is followed by a lookup too: it is how an earlier
 *   attempt whose answer was lost shows up when the first lookup came too early. Found: returned;
 *   not found: the name belongs to something else and the error stands.
 * The unique name is what makes this safe: two sends can never make two servers.
 */
export async function createOnce<T>(
  options: CreateOnceOptions<T>,
): Promise<{ value: T; recovered: boolean }> {
  const { client, signal } = options
  const attempt = async (): Promise<{ value: T; recovered: boolean }> => {
    let answer: unknown
    try {
      answer = await client.send('POST', options.path, { body: options.body, signal })
    } catch (error) {
      const duplicate = error instanceof HetznerHttpError && error.apiCode === 'uniqueness_error'
      if (!duplicate && classifyFailure(error).kind !== 'uncertain') throw error
      client.logger.warn(`Hetzner POST ${options.path}: outcome unknown, looking it up`, {
        reason: error instanceof Error ? error.message : String(error),
      })
      const found = await lookUp(options, error)
      if (found !== null) return { value: found, recovered: true }
      if (duplicate) throw error
      throw new CheckedAbsent(error)
    }
    return { value: await options.parse(answer), recovered: false }
  }
  try {
    return await withRetry(attempt, {
      policy: client.policy,
      signal,
      classify: (error) =>
        error instanceof CheckedAbsent ? { retry: true } : retryDecision(error, false),
      onRetry: ({ attempt: n, delayMs, error }) =>
        client.logRetry('POST', options.path, n, delayMs, error),
    })
  } catch (error) {
    throw client.toCairnError(error instanceof CheckedAbsent ? error.failure : error)
  }
}

async function lookUp<T>(options: CreateOnceOptions<T>, failure: unknown): Promise<T | null> {
  try {
    return await options.lookup()
  } catch (error) {
    if (error instanceof CairnError && error.code === 'cancelled') throw error
    const cause = options.client.toCairnError(failure)
    const reason = error instanceof Error ? error.message : String(error)
    throw new CairnError(
      error instanceof CairnError ? error.code : 'remote_error',
      `Hetzner did not confirm creating ${options.what} (${cause.message}), and Cairn could not ` +
        `check whether it exists (${reason}). Look for it in the Hetzner Cloud Console before ` +
        `trying again.`,
      { outcomeUnknown: true },
    )
  }
}
