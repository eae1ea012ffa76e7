import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3'
import { CairnError } from '../../../shared/errors'
import { silentLogger, type Logger } from '../logging/logger'
import { abortReason, throwIfAborted, withRetry, type RetryPolicy } from '../net/retry'
import { collectBody, requestBody } from './body-stream'
import { assertValidKey, assertValidPrefix } from './keys'
import {
  emptyRequestCounts,
  type ByteRange,
  type ObjectInfo,
  type ObjectStore,
  type RequestCounts,
} from './object-store'
import { classifyS3Error, describeS3Failure, mapS3Error, type S3ErrorContext } from './s3-errors'
import { loadS3Sdk, type S3Sdk } from './s3-sdk'
import {
  multipartSettings,
  putMultipart,
  type MultipartIO,
  type MultipartOptions,
  type MultipartSettings,
} from './s3-multipart'

export interface S3StoreOptions extends MultipartOptions {
  endpoint: string
  /** R2 wants 'auto'. */
  region?: string
  bucket: string
  /** Prepended to every key; a '/' is added if missing. */
  prefix?: string
  accessKeyId: string
  secretAccessKey: string
  /** Path-style URLs (endpoint/bucket/key); needed for most non-AWS servers. Default true. */
  forcePathStyle?: boolean
  retry?: RetryPolicy
  /** Time allowed for a request before any transfer allowance. Default 30 s. */
  timeoutMs?: number
  /** The slowest transfer rate tolerated; adds size / rate to a request's time. Default 64 KiB/s. */
  minBytesPerSecond?: number
  logger?: Logger
  // From MultipartOptions: objects of at least `multipartThreshold` bytes (default 64 MiB) upload
  // in parts of `multipartPartSize` (default 16 MiB), `multipartConcurrency` (default 4) at once.
}

export const defaultS3RetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxTotalMs: 60_000,
}

/** For a person waiting on a connection test: a couple of quick retries, then an answer. */
export const interactiveStorageRetryPolicy: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 1_000,
  maxTotalMs: 5_000,
}

/**
 * An ObjectStore on any S3-compatible service (Cloudflare R2, AWS S3, MinIO, s3rver).
 *
 * The SDK's own retries are off (maxAttempts 1) and every attempt goes through `withRetry` here,
 * so that each HTTP request is counted (R2 bills failed requests too), each attempt has its own
 * deadline, the caller's AbortSignal stops waits between attempts, and S3 and the Hetzner client
 * share one documented policy. Objects of at least `multipartThreshold` bytes go up as multipart
 * uploads (s3-multipart.ts); smaller ones as one PUT, since R2 bills every request. See
 * docs/storage.md.
 */
export class S3Store implements ObjectStore {
  readonly description: string
  readonly requests: RequestCounts = emptyRequestCounts()
  private readonly clientOptions: S3ClientConfig
  private client: Promise<{ sdk: S3Sdk; client: S3Client }> | null = null
  private readonly bucket: string
  private readonly prefix: string
  private readonly host: string
  private readonly policy: RetryPolicy
  private readonly timeoutMs: number
  private readonly minRate: number
  private readonly logger: Logger
  private readonly multipart: MultipartSettings

  constructor(options: S3StoreOptions) {
    const endpoint = new URL(options.endpoint)
    endpoint.username = ''
    endpoint.password = ''
    this.host = endpoint.host
    this.bucket = options.bucket
    this.prefix = normalisePrefix(options.prefix ?? '')
    this.policy = options.retry ?? defaultS3RetryPolicy
    this.timeoutMs = options.timeoutMs ?? 30_000
    this.minRate = options.minBytesPerSecond ?? 64 * 1024
    this.logger = options.logger ?? silentLogger
    this.multipart = multipartSettings(options)
    this.description = `s3://${this.bucket}/${this.prefix} at ${endpoint.origin}`
    this.clientOptions = {
      endpoint: endpoint.toString().replace(/\/$/, ''),
      region: options.region || 'auto',
      forcePathStyle: options.forcePathStyle ?? true,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      maxAttempts: 1,
      // Only checksum when an operation requires it: R2 and others reject or mangle the newer
      // default (CRC32 trailers in aws-chunked bodies; s3rver would store the chunk framing).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: Math.min(10_000, this.timeoutMs),
        httpsAgent: { keepAlive: true, maxSockets: 32 },
      },
    }
    // Starts loading the SDK now (its files are read off the main thread), not at the first
    // request; see s3-sdk.ts.
    void loadS3Sdk().catch(() => {})
  }

  /** The SDK and this store's client, created on first use. */
  private sdkClient(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    this.client ??= loadS3Sdk().then((sdk) => ({
      sdk,
      client: new sdk.S3Client(this.clientOptions),
    }))
    return this.client
  }

  async put(
    key: string,
    body: Uint8Array,
    options: { createOnly?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    assertValidKey(key)
    const ctx = this.ctx('put', key)
    if (body.byteLength >= this.multipart.threshold) {
      try {
        return await putMultipart(await this.multipartIO(key), body, options)
      } catch (error) {
        throw mapS3Error(error, ctx)
      }
    }
    let failedBefore = false
    try {
      await this.retrying(ctx, options.signal, async (signal) => {
        this.requests.put++
        this.requests.bytesUp += body.byteLength
        try {
          const { sdk, client } = await this.sdkClient()
          await client.send(
            new sdk.PutObjectCommand({
              Bucket: this.bucket,
              Key: this.prefix + key,
              Body: requestBody(body),
              ContentLength: body.byteLength,
              ...(options.createOnly ? { IfNoneMatch: '*' } : {}),
            }),
            { abortSignal: signal(body.byteLength) },
          )
        } catch (error) {
          const f = describeS3Failure(error)
          if (
            options.createOnly &&
            failedBefore &&
            (f.status === 412 || f.name === 'PreconditionFailed')
          ) {
            // An earlier attempt may have landed before its connection dropped. If what is there
            // is exactly our body, that attempt succeeded; anything else is a real conflict.
            if (await this.holds(key, body, options.signal)) return
          }
          failedBefore = true
          throw error
        }
      })
    } catch (error) {
      if (options.createOnly && describeS3Failure(error).name === 'ConditionalRequestConflict') {
        // AWS answers 409 when another conditional write to the key races ours.
        throw new CairnError(
          'conflict',
          `The object ${key} was written by someone else at the same time, in bucket ${this.bucket} at ${this.host}.`,
        )
      }
      throw mapS3Error(error, ctx)
    }
  }

  async get(
    key: string,
    options: { range?: ByteRange; signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    assertValidKey(key)
    const range = options.range
    if (range && range.length === 0) return new Uint8Array(0)
    const ctx = this.ctx('get', key)
    try {
      return await this.retrying(ctx, options.signal, async (signal, extend) => {
        this.requests.get++
        const { sdk, client } = await this.sdkClient()
        const out = await client.send(
          new sdk.GetObjectCommand({
            Bucket: this.bucket,
            Key: this.prefix + key,
            ...(range ? { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {}),
          }),
          { abortSignal: signal(range?.length ?? 0) },
        )
        if (out.ContentLength !== undefined) extend(out.ContentLength)
        const bytes = await collectBody(
          out.Body as unknown as AsyncIterable<Uint8Array>,
          out.ContentLength,
        )
        this.requests.bytesDown += bytes.byteLength
        return bytes
      })
    } catch (error) {
      throw mapS3Error(error, ctx)
    }
  }

  async head(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | null> {
    assertValidKey(key)
    const ctx = this.ctx('head', key)
    try {
      return await this.retrying(ctx, options.signal, async (signal) => {
        this.requests.head++
        try {
          const { sdk, client } = await this.sdkClient()
          const out = await client.send(
            new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
            {
              abortSignal: signal(0),
            },
          )
          return {
            key,
            size: out.ContentLength ?? 0,
            ...(out.LastModified ? { modified: out.LastModified } : {}),
          }
        } catch (error) {
          const f = describeS3Failure(error)
          if (f.status === 404 && f.name !== 'NoSuchBucket') return null
          throw error
        }
      })
    } catch (error) {
      throw mapS3Error(error, ctx)
    }
  }

  async *list(prefix: string, options: { signal?: AbortSignal } = {}): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix)
    const ctx = this.ctx('list')
    let token: string | undefined
    do {
      let page
      try {
        page = await this.retrying(ctx, options.signal, async (signal) => {
          this.requests.list++
          const { sdk, client } = await this.sdkClient()
          return client.send(
            new sdk.ListObjectsV2Command({
              Bucket: this.bucket,
              Prefix: this.prefix + prefix,
              ...(token ? { ContinuationToken: token } : {}),
            }),
            { abortSignal: signal(0) },
          )
        })
      } catch (error) {
        throw mapS3Error(error, ctx)
      }
      for (const item of page.Contents ?? []) {
        if (!item.Key) continue
        yield {
          key: item.Key.slice(this.prefix.length),
          size: item.Size ?? 0,
          ...(item.LastModified ? { modified: item.LastModified } : {}),
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  async delete(key: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    assertValidKey(key)
    const ctx = this.ctx('delete', key)
    try {
      await this.retrying(ctx, options.signal, async (signal) => {
        this.requests.delete++
        const { sdk, client } = await this.sdkClient()
        await client.send(
          new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
          {
            abortSignal: signal(0),
          },
        )
      })
    } catch (error) {
      const f = describeS3Failure(error)
      if (f.name === 'NoSuchKey') return
      throw mapS3Error(error, ctx)
    }
  }

  /** Closes pooled connections. */
  destroy(): void {
    void this.client?.then(({ client }) => client.destroy()).catch(() => {})
  }

  private async multipartIO(key: string): Promise<MultipartIO> {
    const { sdk, client } = await this.sdkClient()
    return {
      sdk,
      client,
      bucket: this.bucket,
      objectKey: this.prefix + key,
      host: this.host,
      key,
      requests: this.requests,
      settings: this.multipart,
      logger: this.logger,
      retrying: (outer, attempt, options) =>
        this.retrying(this.ctx('put', key), outer, attempt, options),
      holds: (body, signal) => this.holds(key, body, signal),
    }
  }

  private async holds(key: string, body: Uint8Array, signal?: AbortSignal): Promise<boolean> {
    try {
      const info = await this.head(key, signal ? { signal } : {})
      if (!info || info.size !== body.byteLength) return false
      const stored = await this.get(key, signal ? { signal } : {})
      return Buffer.from(stored).equals(Buffer.from(body))
    } catch {
      return false
    }
  }

  /**
   * Runs one S3 operation with retries. Each attempt gets an AbortSignal that fires on the
   * caller's abort or at the attempt's deadline: timeoutMs plus the time the known size takes at
   * minBytesPerSecond, plus `extraMs`. `extend` lengthens the deadline when the size becomes known
   * (GET headers). `options` replace the policy and cap timeoutMs for one operation.
   */
  private retrying<T>(
    ctx: S3ErrorContext,
    outer: AbortSignal | undefined,
    attempt: (
      signal: (bytes: number, extraMs?: number) => AbortSignal,
      extend: (bytes: number) => void,
    ) => Promise<T>,
    options: { policy?: RetryPolicy; maxTimeoutMs?: number } = {},
  ): Promise<T> {
    throwIfAborted(outer)
    const baseMs = Math.min(this.timeoutMs, options.maxTimeoutMs ?? Infinity)
    return withRetry(
      async () => {
        const controller = new AbortController()
        let timer: NodeJS.Timeout | undefined
        const arm = (bytes: number, extraMs = 0) => {
          clearTimeout(timer)
          const ms = baseMs + extraMs + Math.ceil((bytes / this.minRate) * 1000)
          timer = setTimeout(() => controller.abort(timeoutError()), ms)
        }
        const onOuterAbort = () => controller.abort(outer!.reason)
        outer?.addEventListener('abort', onOuterAbort, { once: true })
        try {
          return await attempt(
            (bytes, extraMs) => {
              arm(bytes, extraMs)
              return controller.signal
            },
            (bytes) => arm(bytes),
          )
        } catch (error) {
          if (outer?.aborted) throw abortReason(outer)
          if (controller.signal.aborted) throw timeoutError()
          throw error
        } finally {
          clearTimeout(timer)
          outer?.removeEventListener('abort', onOuterAbort)
        }
      },
      {
        policy: options.policy ?? this.policy,
        classify: classifyS3Error,
        ...(outer ? { signal: outer } : {}),
        onRetry: ({ attempt, delayMs, error }) => {
          const f = describeS3Failure(error)
          this.logger.warn(`S3 ${ctx.operation} retry ${attempt} in ${delayMs} ms`, {
            host: this.host,
            status: f.status,
            name: f.name,
            code: f.code,
          })
        },
      },
    )
  }

  private ctx(operation: S3ErrorContext['operation'], key?: string): S3ErrorContext {
    return {
      operation,
      bucket: this.bucket,
      host: this.host,
      ...(key === undefined ? {} : { key }),
    }
  }
}

function timeoutError(): Error {
  const error = new Error('request timed out')
  error.name = 'TimeoutError'
  return error
}

function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '')
  if (trimmed === '') return ''
  return trimmed.endsWith('/') ? trimmed : `${trimmed}/`
}
