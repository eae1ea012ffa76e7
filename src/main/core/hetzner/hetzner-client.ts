import { z } from 'zod'
import { CairnError } from '../../../shared/errors'
import type { HetznerCatalog, Location, ServerType } from '../../../shared/domain/hetzner'
import { silentLogger, type Logger } from '../logging/logger'
import { abortReason, throwIfAborted, withRetry, type RetryPolicy } from '../net/retry'
import { HetznerActions } from './actions'
import {
  apiErrorBodySchema,
  apiLocationSchema,
  apiServerTypeSchema,
  paginationMetaSchema,
} from './api-schemas'
import { hetznerErrorToCairn } from './error-mapping'
import {
  HetznerHttpError,
  NetworkError,
  networkErrorFrom,
  retryAt,
  retryDecision,
} from './http-failure'
import { HetznerImages } from './images'
import { HetznerServers } from './servers'
import { HetznerSshKeys } from './ssh-keys'

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

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface RequestOptions {
  query?: Record<string, string | string[]>
  body?: unknown
  signal?: AbortSignal
  /**
   * Whether sending the request twice does no harm. Default: every method but POST. A request that
   * is not idempotent is still retried when Hetzner refused it outright (429, `locked`,
   * `conflict`, `unavailable`), never after an uncertain failure (timeout after sending, 5xx).
   */
  idempotent?: boolean
}

/**
 * A typed client of the parts of the Hetzner Cloud API Cairn uses. The token goes only into the
 * Authorization header of requests to `baseUrl`; it is never logged or put into an error.
 *
 * Resources: `servers`, `actions`, `sshKeys`, `images`; the catalog (locations, server types with
 * prices) directly on the client. Retries and error mapping: docs/hetzner.md.
 */
export class HetznerClient {
  readonly host: string
  readonly servers: HetznerServers
  readonly actions: HetznerActions
  readonly sshKeys: HetznerSshKeys
  readonly images: HetznerImages
  readonly policy: RetryPolicy
  readonly logger: Logger
  private readonly baseUrl: string
  private readonly timeoutMs: number
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
    this.servers = new HetznerServers(this)
    this.actions = new HetznerActions(this)
    this.sshKeys = new HetznerSshKeys(this)
    this.images = new HetznerImages(this)
  }

  async listLocations(signal?: AbortSignal): Promise<Location[]> {
    const items = await this.listAll('/locations', 'locations', apiLocationSchema, { signal })
    return items.map((l) => ({
      name: l.name,
      description: l.description,
      city: l.city,
      country: l.country,
      networkZone: l.network_zone,
    }))
  }

  async listServerTypes(signal?: AbortSignal): Promise<ServerType[]> {
    const items = await this.listAll('/server_types', 'server_types', apiServerTypeSchema, {
      signal,
    })
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
    options: { query?: Record<string, string | string[]>; signal?: AbortSignal } = {},
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
      const body = await this.request('GET', path, {
        query: { ...options.query, page: String(next), per_page: String(this.perPage) },
        signal: options.signal,
      })
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

  /** One API call with retries; returns the parsed JSON body. Failures are CairnErrors. */
  async request(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<unknown> {
    const idempotent = options.idempotent ?? method !== 'POST'
    try {
      return await withRetry(() => this.send(method, path, options), {
        policy: this.policy,
        signal: options.signal,
        classify: (error) => retryDecision(error, idempotent),
        onRetry: ({ attempt, delayMs, error }) =>
          this.logRetry(method, path, attempt, delayMs, error),
      })
    } catch (error) {
      throw this.toCairnError(error)
    }
  }

  /**
   * One attempt, no retry. Fails with the raw HetznerHttpError / NetworkError, for callers that
   * decide themselves (a create that must look before it repeats itself).
   */
  async send(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<unknown> {
    const url = new URL(this.baseUrl + path)
    for (const [k, v] of Object.entries(options.query ?? {})) {
      for (const value of Array.isArray(v) ? v : [v]) url.searchParams.append(k, value)
    }
    const { signal, body } = options
    throwIfAborted(signal)
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
      if (timeout.aborted) {
        const seconds = Math.round(this.timeoutMs / 1000)
        throw new NetworkError(`no answer within ${seconds} s`, true, true)
      }
      throw networkErrorFrom(error)
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

  /** The user-facing error for a failure of `send` or `request`. */
  toCairnError(error: unknown): Error {
    return hetznerErrorToCairn(error, this.host, this.logger)
  }

  logRetry(method: string, path: string, attempt: number, delayMs: number, error: unknown): void {
    // Method and path only: the query and body stay out of the log.
    this.logger.warn(`Hetzner ${method} ${path} retry ${attempt} in ${delayMs} ms`, {
      reason: error instanceof Error ? error.message : String(error),
    })
  }
}

/** Parses an answer; a shape Cairn does not know is a remote_error naming what was expected. */
export function parseAnswer<S extends z.ZodType>(
  schema: S,
  body: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(body)
  if (!parsed.success) {
    throw new CairnError('remote_error', `Hetzner sent ${what} Cairn could not read.`)
  }
  return parsed.data
}

function safeJson<S extends z.ZodType>(text: string, schema: S): z.output<S> | null {
  try {
    const parsed = schema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}
