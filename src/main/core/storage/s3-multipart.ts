import type { S3Client } from '@aws-sdk/client-s3'
import { CairnError } from '../../../shared/errors'
import type { Logger } from '../logging/logger'
import { abortReason, type RetryPolicy } from '../net/retry'
import type { RequestCounts } from './object-store'
import { requestBody } from './body-stream'
import { describeS3Failure } from './s3-errors'
import type { S3Sdk } from './s3-sdk'

const MiB = 1024 * 1024
const GiB = 1024 * MiB

/** S3 and R2: parts are 5 MiB to 5 GiB (the last may be smaller), at most 10,000 of them. */
export const minPartSize = 5 * MiB
export const maxPartSize = 5 * GiB
export const maxParts = 10_000
/** The largest single PUT S3 accepts (R2: a little less); objects this big must go in parts. */
export const maxSinglePutSize = 5 * GiB - 5 * MiB

export const defaultMultipartThreshold = 64 * MiB
export const defaultPartSize = 16 * MiB
export const defaultMultipartConcurrency = 4

export interface MultipartSettings {
  /** Objects of at least this many bytes upload in parts. */
  threshold: number
  /** Size of every part but the last (R2 requires them equal). */
  partSize: number
  /** Parts in flight at once, per object. */
  concurrency: number
}

export interface MultipartOptions {
  multipartThreshold?: number
  multipartPartSize?: number
  multipartConcurrency?: number
}

/** Checks the options; they come from code, so a bad value is a programming error. */
export function multipartSettings(options: MultipartOptions): MultipartSettings {
  const threshold = options.multipartThreshold ?? defaultMultipartThreshold
  const partSize = options.multipartPartSize ?? defaultPartSize
  const concurrency = options.multipartConcurrency ?? defaultMultipartConcurrency
  const bad = (message: string) => new CairnError('invalid_input', message)
  if (!Number.isSafeInteger(partSize) || partSize < minPartSize || partSize > maxPartSize) {
    throw bad(`multipartPartSize must be a whole number of bytes from 5 MiB to 5 GiB.`)
  }
  // A threshold above the part size means every multipart upload has at least two parts: one
  // part would cost three requests where a single PUT costs one.
  if (!Number.isSafeInteger(threshold) || threshold <= partSize || threshold > maxSinglePutSize) {
    throw bad(`multipartThreshold must be larger than multipartPartSize and at most 5 GiB - 5 MiB.`)
  }
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    throw bad(`multipartConcurrency must be a whole number from 1 to 32.`)
  }
  return { threshold, partSize, concurrency }
}

export interface PartPlan {
  /** 1-based, as S3 numbers parts. */
  number: number
  offset: number
  length: number
}

/**
 * Cuts `size` bytes into parts of `partSize` bytes and a last part of the rest (1..partSize
 * bytes), as R2 requires. Past 10,000 parts the part size grows, in whole MiB, until they fit.
 */
export function planParts(size: number, partSize: number): PartPlan[] {
  let each = partSize
  if (Math.ceil(size / each) > maxParts) each = Math.ceil(size / maxParts / MiB) * MiB
  const parts: PartPlan[] = []
  for (let offset = 0, number = 1; offset < size; offset += each, number++) {
    parts.push({ number, offset, length: Math.min(each, size - offset) })
  }
  return parts
}

/** What one multipart upload needs of the S3Store that runs it. */
export interface MultipartIO {
  /** The SDK (loaded on first use, s3-sdk.ts) and the store's client. */
  sdk: S3Sdk
  client: S3Client
  bucket: string
  /** The object's key in the bucket, prefix included. */
  objectKey: string
  /** Endpoint host, for messages and logs. */
  host: string
  /** The key as the caller named it, for messages. */
  key: string
  requests: RequestCounts
  settings: MultipartSettings
  logger: Logger
  /**
   * Runs one request with the store's retries. `signal(bytes, extraMs)` gives each attempt its
   * deadline; `options` narrow the policy and cap the per-attempt time (for the best-effort abort).
   */
  retrying<T>(
    outer: AbortSignal | undefined,
    attempt: (signal: (bytes: number, extraMs?: number) => AbortSignal) => Promise<T>,
    options?: { policy?: RetryPolicy; maxTimeoutMs?: number },
  ): Promise<T>
  /** True if the object now holds exactly `body` (read back, for an unclear completion). */
  holds(body: Uint8Array, signal?: AbortSignal): Promise<boolean>
}

/** A few quick tries for the clean-up after a failure, so a cancel is not held up for long. */
const abortPolicy: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 1_000,
  maxTotalMs: 5_000,
}
const abortAttemptMs = 5_000
/** Server-side assembly time allowed per part, on top of the request deadline, for a complete. */
const completeMsPerPart = 1_000

/**
 * Uploads `body` as CreateMultipartUpload → UploadPart × n (at most `concurrency` at once, each
 * retried on its own) → CompleteMultipartUpload, with If-None-Match: * on the complete for a
 * create-only put. On any failure or abort the upload is aborted (best effort) and the original
 * error is thrown: SDK errors as they are (the caller maps them), CairnErrors for the rest.
 */
export async function putMultipart(
  io: MultipartIO,
  body: Uint8Array,
  options: { createOnly?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const { signal: outer, createOnly = false } = options
  const parts = planParts(body.byteLength, io.settings.partSize)
  const target = { Bucket: io.bucket, Key: io.objectKey }

  const uploadId = await io.retrying(outer, async (signal) => {
    io.requests.put++
    const out = await io.client.send(new io.sdk.CreateMultipartUploadCommand(target), {
      abortSignal: signal(0),
    })
    if (!out.UploadId) {
      throw new CairnError(
        'storage_failed',
        `The storage at ${io.host} started a multipart upload without an upload ID.`,
      )
    }
    return out.UploadId
  })

  // Stops the parts still running when one fails for good or the caller aborts.
  const stop = new AbortController()
  const onOuterAbort = () => stop.abort(outer!.reason)
  outer?.addEventListener('abort', onOuterAbort, { once: true })
  if (outer?.aborted) onOuterAbort()
  try {
    const etags = await uploadParts(io, body, parts, uploadId, stop)
    await complete(io, body, uploadId, etags, createOnly, outer, parts.length)
  } catch (error) {
    await abortUpload(io, uploadId)
    if (outer?.aborted) throw abortReason(outer)
    throw translate(error, io, createOnly)
  } finally {
    outer?.removeEventListener('abort', onOuterAbort)
  }
}

async function uploadParts(
  io: MultipartIO,
  body: Uint8Array,
  parts: PartPlan[],
  uploadId: string,
  stop: AbortController,
): Promise<string[]> {
  const etags: string[] = new Array<string>(parts.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async () => {
    while (!failure && !stop.signal.aborted && next < parts.length) {
      const part = parts[next++]!
      const chunk = body.subarray(part.offset, part.offset + part.length)
      try {
        const out = await io.retrying(stop.signal, async (signal) => {
          io.requests.put++
          io.requests.bytesUp += part.length
          return io.client.send(
            new io.sdk.UploadPartCommand({
              Bucket: io.bucket,
              Key: io.objectKey,
              UploadId: uploadId,
              PartNumber: part.number,
              Body: requestBody(chunk),
              ContentLength: part.length,
            }),
            { abortSignal: signal(part.length) },
          )
        })
        if (!out.ETag) {
          throw new CairnError(
            'storage_failed',
            `The storage at ${io.host} accepted part ${part.number} of ${io.key} without an ETag.`,
          )
        }
        etags[part.number - 1] = out.ETag
      } catch (error) {
        // The first failure is the one to report; the others are the stop it causes.
        failure ??= { error }
        stop.abort(new CairnError('cancelled', 'Cancelled.'))
      }
    }
  }
  const workers = Math.min(io.settings.concurrency, parts.length)
  await Promise.all(Array.from({ length: workers }, worker))
  if (failure) throw failure.error
  if (stop.signal.aborted) throw abortReason(stop.signal)
  return etags
}

async function complete(
  io: MultipartIO,
  body: Uint8Array,
  uploadId: string,
  etags: string[],
  createOnly: boolean,
  outer: AbortSignal | undefined,
  partCount: number,
): Promise<void> {
  let failedBefore = false
  await io.retrying(outer, async (signal) => {
    io.requests.put++
    try {
      await io.client.send(
        new io.sdk.CompleteMultipartUploadCommand({
          Bucket: io.bucket,
          Key: io.objectKey,
          UploadId: uploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
          ...(createOnly ? { IfNoneMatch: '*' } : {}),
        }),
        { abortSignal: signal(0, partCount * completeMsPerPart) },
      )
    } catch (error) {
      const f = describeS3Failure(error)
      const gone = f.name === 'NoSuchUpload'
      const exists = createOnly && (f.status === 412 || f.name === 'PreconditionFailed')
      if (failedBefore && (gone || exists)) {
        // An earlier attempt may have completed the upload before its answer was lost: then the
        // upload is gone (or, create-only, the key exists). If the object is exactly our bytes,
        // that attempt succeeded.
        if (await io.holds(body, outer)) return
      }
      failedBefore = true
      throw error
    }
  })
}

/** Best effort: a failed abort is logged, never thrown (R2 drops stale uploads after 7 days). */
async function abortUpload(io: MultipartIO, uploadId: string): Promise<void> {
  try {
    await io.retrying(
      undefined,
      async (signal) => {
        io.requests.delete++
        await io.client.send(
          new io.sdk.AbortMultipartUploadCommand({
            Bucket: io.bucket,
            Key: io.objectKey,
            UploadId: uploadId,
          }),
          { abortSignal: signal(0) },
        )
      },
      { policy: abortPolicy, maxTimeoutMs: abortAttemptMs },
    )
  } catch (error) {
    const f = describeS3Failure(error)
    // After a 409 ConditionalRequestConflict AWS has already removed the upload.
    if (f.name === 'NoSuchUpload') return
    io.logger.warn('S3 multipart upload could not be aborted; its parts stay until they expire', {
      host: io.host,
      status: f.status,
      name: f.name,
      code: f.code,
    })
  }
}

/** Errors mapS3Error would word wrongly for a multipart upload. */
function translate(error: unknown, io: MultipartIO, createOnly: boolean): unknown {
  if (error instanceof CairnError) return error
  const f = describeS3Failure(error)
  if (createOnly && (f.name === 'ConditionalRequestConflict' || f.status === 409)) {
    // AWS: another write to the key raced ours; for a create-only put that is a conflict.
    return new CairnError(
      'conflict',
      `The object ${io.key} was written by someone else while Cairn uploaded it, in bucket ${io.bucket} at ${io.host}.`,
    )
  }
  if (f.name === 'NoSuchUpload') {
    return new CairnError(
      'storage_failed',
      `The storage at ${io.host} dropped the multipart upload of ${io.key} before it completed (an expiry rule or another client aborted it). Try again.`,
    )
  }
  if (f.name === 'InvalidPart' || f.name === 'InvalidPartOrder' || f.name === 'EntityTooSmall') {
    return new CairnError(
      'storage_failed',
      `The storage at ${io.host} refused the parts of ${io.key} (${f.name}). Try again; if it persists, report it.`,
      { status: f.status },
    )
  }
  return error
}
