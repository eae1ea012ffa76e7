import { z } from 'zod'
import { CairnError } from '../../../shared/errors'
import type { HetznerCatalog, Location, ServerType } from '../../../shared/domain/hetzner'
import { silentLogger, type Logger } from '../logging/logger'
import { abortReason, withRetry, type RetryPolicy } from '../net/retry'
import {
  apiErrorBodySchema,
  apiLocationSchema,
  apiServerTypeSchema,
  paginationMetaSchema,
} from './api-schemas'

export interface HetznerClientOptions {
  /** e.g. https://api.hetzner.cloud/v1 (settings.hetznerApiBase). */
  baseUrl: string
  token: string
  /** Per request, including reading the body. Default 15 s. */
  timeoutMs?: number
  retry?: RetryPolicy
  logger?: Logger
  fetch?: typeof fetch
  /** Page size of list calls; default 50 (Hetzner's maximum). */
  perPage?: number
}

/** Background work: rides out a longer outage or a rate-limit window. */
export const backgroundRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxTotalMs: 120_000,
}

/** A person waiting on a button (token check): a few quick retries, then a clear answer. */
export const interactiveRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 300,
  maxDelayMs: 3_000,
  maxTotalMs: 8_000,
}

const MAX_PAGES = 100

/** An HTTP answer Hetzner gave with an error status, before it is turned into a CairnError. */
class HetznerHttpError extends Error {
  constructor(
    readonly status: number,
    readonly apiCode: string | null,
    readonly apiMessage: string | null,
    /** When the server said we may come back (epoch ms), for 429. */
    readonly retryAt: number | null,
  ) {
    super(`HTTP ${status}`)
  }
}

class NetworkError extends Error {
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
  ) {
    super(reason)
  }
}

/**
 * A small typed client of the Hetzner Cloud API. The token goes only into the Authorization header
 * of requests to `baseUrl`; it is never logged or put into an error.
 */
export class HetznerClient {
  private readonly baseUrl: string
  private readonly host: string
  private readonly timeoutMs: number
  private readonly policy: RetryPolicy
  private readonly logger: Logger
  private readonly fetch: typeof fetch
  private readonly perPage: number

  constructor(private readonly options: HetznerClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.host = new URL(this.baseUrl).host
    this.timeoutMs = options.timeoutMs ?? 15_000
    this.policy = options.retry ?? backgroundRetryPolicy
    this.logger = options.logger ?? silentLogger
    this.fetch = options.fetch ?? globalThis.fetch
    this.perPage = options.perPage ?? 50
  }

  async listLocations(signal?: AbortSignal): Promise<Location[]> {
    const items = await this.listAll('/locations', 'locations', apiLocationSchema, signal)
    return items.map((l) => ({
      name: l.name,
      description: l.description,
      city: l.city,
      country: l.country,
      networkZone: l.network_zone,
    }))
  }

  async listServerTypes(signal?: AbortSignal): Promise<ServerType[]> {
    const items = await this.listAll('/server_types', 'server_types', apiServerTypeSchema, signal)
    return items.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      cores: t.cores,
      memoryGb: t.memory,
      diskGb: t.disk,
      cpuType: t.cpu_type,
      architecture: t.architecture,
      deprecated: Boolean(t.deprecated) || (t.deprecation !== null && t.deprecation !== undefined),
      prices: t.prices.map((p) => ({
        location: p.location,
        hourlyNet: p.price_hourly.net,
        hourlyGross: p.price_hourly.gross,
        monthlyNet: p.price_monthly.net,
        monthlyGross: p.price_monthly.gross,
      })),
    }))
  }

  async catalog(signal?: AbortSignal): Promise<HetznerCatalog> {
    // One after the other: a bad token is then refused by the first request, not twice at once.
    const locations = await this.listLocations(signal)
    const serverTypes = await this.listServerTypes(signal)
    return { locations, serverTypes }
  }

  /** Follows `meta.pagination.next_page` until it is null. */
  async listAll<S extends z.ZodType>(
    path: string,
    key: string,
    item: S,
    signal?: AbortSignal,
  ): Promise<Array<z.output<S>>> {
    const page = z.object({ meta: paginationMetaSchema }).catchall(z.unknown())
    const out: Array<z.output<S>> = []
    let next: number | null = 1
    for (let n = 0; next !== null; n++) {
      if (n >= MAX_PAGES)
        throw new CairnError(
          'remote_error',
          `Hetzner returned more than ${MAX_PAGES} pages of ${key}.`,
        )
      const body = await this.request(
        'GET',
        path,
        { page: String(next), per_page: String(this.perPage) },
        signal,
      )
      const parsed = page.safeParse(body)
      const list = parsed.success ? z.array(item).safeParse(parsed.data[key]) : null
      if (!parsed.success || !list?.success) {
        throw new CairnError('remote_error', `Hetzner sent a ${key} list Cairn could not read.`)
      }
      out.push(...list.data)
      next = parsed.data.meta?.pagination?.next_page ?? null
    }
    return out
  }

  /** One API call with retries; returns the parsed JSON body. */
  async request(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    query?: Record<string, string>,
    signal?: AbortSignal,
    body?: unknown,
  ): Promise<unknown> {
    const url = new URL(this.baseUrl + path)
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v)
    const idempotent = method !== 'POST'
    try {
      return await withRetry(() => this.attempt(method, url, signal, body), {
        policy: this.policy,
        signal,
        classify: (error) => {
          if (error instanceof HetznerHttpError) {
            if (error.status === 429) {
              return {
                retry: true,
                afterMs: Math.max(0, (error.retryAt ?? Date.now()) - Date.now()),
              }
            }
            return error.status >= 500 && idempotent ? { retry: true } : { retry: false }
          }
          if (error instanceof NetworkError) return { retry: error.retryable && idempotent }
          return { retry: false }
        },
        onRetry: ({ attempt, delayMs, error }) =>
          this.logger.warn(`Hetzner ${method} ${url.pathname} retry ${attempt} in ${delayMs} ms`, {
            reason: error instanceof Error ? error.message : String(error),
          }),
      })
    } catch (error) {
      throw this.toCairnError(error)
    }
  }

  private async attempt(
    method: string,
    url: URL,
    signal: AbortSignal | undefined,
    body: unknown,
  ): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.timeoutMs)
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout
    let response: Response
    let text: string
    try {
      response = await this.fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${this.options.token}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: combined,
        redirect: 'error', // a redirect would carry the token to wherever it points
      })
      text = await response.text()
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal)
      if (timeout.aborted)
        throw new NetworkError(`no answer within ${Math.round(this.timeoutMs / 1000)} s`, true)
      const code = errorCode(error)
      const retryable = code !== 'ENOTFOUND' && code !== 'ECONNREFUSED' && code !== 'EAI_NONAME'
      throw new NetworkError(describeNetworkError(code), retryable)
    }
    if (response.ok) {
      if (text === '') return {}
      try {
        return JSON.parse(text) as unknown
      } catch {
        throw new CairnError(
          'remote_error',
          `${this.host} sent an answer that is not JSON; is the API URL right?`,
        )
      }
    }
    const apiError = safeJson(text, apiErrorBodySchema)
    throw new HetznerHttpError(
      response.status,
      apiError?.error.code ?? null,
      apiError?.error.message ?? null,
      response.status === 429 ? retryAt(response.headers) : null,
    )
  }

  private toCairnError(error: unknown): Error {
    if (error instanceof CairnError) return error
    if (error instanceof NetworkError) {
      return new CairnError(
        'unreachable',
        `Cairn could not reach the Hetzner API at ${this.host} (${error.reason}). Check your internet connection and the API URL in Settings.`,
      )
    }
    if (error instanceof HetznerHttpError) {
      const detail = error.apiMessage ? `: ${error.apiMessage}` : ''
      if (error.status === 401) {
        return new CairnError(
          'unauthorized',
          'Hetzner refused this API token. Create a Read & Write token in the Hetzner Cloud Console → Security → API tokens, and paste it again.',
        )
      }
      if (error.status === 403) {
        return new CairnError(
          'forbidden',
          `Hetzner did not allow this with the stored token${detail}. Cairn needs a Read & Write token.`,
          { hetznerCode: error.apiCode },
        )
      }
      if (error.status === 429) {
        const seconds = Math.max(
          1,
          Math.ceil(((error.retryAt ?? Date.now() + 60_000) - Date.now()) / 1000),
        )
        return new CairnError(
          'rate_limited',
          `Hetzner's API rate limit for this token is used up. Try again in about ${seconds} s.`,
          { retryAfterSeconds: seconds },
        )
      }
      return new CairnError(
        'remote_error',
        `Hetzner answered ${error.status}${error.apiCode ? ` (${error.apiCode})` : ''}${detail}`,
        { status: error.status, hetznerCode: error.apiCode },
      )
    }
    this.logger.error('Hetzner request failed unexpectedly', error)
    return new CairnError(
      'internal',
      'Cairn hit an unexpected problem talking to Hetzner. The details are in its log.',
    )
  }
}

/**
 * When a 429 says we may retry (epoch ms). Retry-After (seconds) wins when sent. Otherwise Hetzner
 * sends RateLimit-Limit (requests per hour, refilled continuously) and RateLimit-Reset (the Unix
 * time at which the bucket is *full* again): one request is possible again after 3600/limit
 * seconds, so we wait that long, or until the reset if that comes sooner.
 */
function retryAt(headers: Headers): number | null {
  const now = Date.now()
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

function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } })?.cause
  const code = cause?.code ?? (error as { code?: unknown })?.code
  return typeof code === 'string' ? code : undefined
}

function describeNetworkError(code: string | undefined): string {
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

function safeJson<S extends z.ZodType>(text: string, schema: S): z.output<S> | null {
  try {
    const parsed = schema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}
