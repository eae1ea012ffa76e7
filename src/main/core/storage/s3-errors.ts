import { CairnError } from '../../../shared/errors'
import type { RetryDecision } from '../net/retry'

/** What an S3 call failed with, as far as the SDK tells. */
export interface S3Failure {
  name: string
  status: number | undefined
  code: string | undefined
}

export function describeS3Failure(error: unknown): S3Failure {
  const e = error as {
    name?: unknown
    code?: unknown
    Code?: unknown
    $metadata?: { httpStatusCode?: unknown }
    cause?: { code?: unknown }
  }
  const status =
    typeof e?.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined
  const code = [e?.code, e?.cause?.code, e?.Code].find((c): c is string => typeof c === 'string')
  return { name: typeof e?.name === 'string' ? e.name : 'Error', status, code }
}

const throttlingNames = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestLimitExceeded',
])
const transientNames = new Set([
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'DeadlineExceeded',
])
const transientCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
])

/**
 * Retry on throttling (429, SlowDown), server errors (5xx), timeouts and dropped connections;
 * never on answers that will not change (auth, missing bucket, precondition) or unknown hosts.
 */
export function classifyS3Error(error: unknown): RetryDecision {
  if (error instanceof CairnError) return { retry: false }
  const f = describeS3Failure(error)
  if (f.code === 'ENOTFOUND' || f.code === 'EAI_NONAME') return { retry: false }
  if (throttlingNames.has(f.name) || transientNames.has(f.name)) return { retry: true }
  if (f.status === 429 || (f.status !== undefined && f.status >= 500)) return { retry: true }
  if (f.code && transientCodes.has(f.code)) return { retry: true }
  if (
    f.status === undefined &&
    /socket hang up|ECONNRESET|network/i.test(String((error as Error)?.message))
  ) {
    return { retry: true }
  }
  return { retry: false }
}

export interface S3ErrorContext {
  bucket: string
  /** Endpoint host, for messages (never the credentials). */
  host: string
  key?: string
  operation: 'put' | 'get' | 'head' | 'list' | 'delete'
}

/** Turns what the SDK threw (after retries) into a CairnError a person can act on. */
export function mapS3Error(error: unknown, ctx: S3ErrorContext): CairnError {
  if (error instanceof CairnError) return error
  const f = describeS3Failure(error)
  const where = `bucket ${ctx.bucket} at ${ctx.host}`
  switch (f.name) {
    case 'InvalidAccessKeyId':
      return new CairnError(
        'unauthorized',
        `The storage at ${ctx.host} does not know this access key ID. Check "Access key ID" in Settings → Storage.`,
      )
    case 'SignatureDoesNotMatch':
      return new CairnError(
        'unauthorized',
        `The storage at ${ctx.host} refused the secret access key. Check "Secret access key" in Settings → Storage.`,
      )
    case 'AccessDenied':
    case 'Forbidden':
      return forbidden(where, ctx.operation)
    case 'NoSuchBucket':
      return new CairnError(
        'not_found',
        `The bucket ${ctx.bucket} does not exist at ${ctx.host}. Create it, or check "Bucket" and "Endpoint" in Settings → Storage.`,
      )
    case 'NoSuchKey':
    case 'NotFound':
      return new CairnError('not_found', `The object ${ctx.key ?? ''} does not exist in ${where}.`)
    case 'PreconditionFailed':
      return new CairnError('conflict', `The object ${ctx.key ?? ''} already exists in ${where}.`)
    case 'InvalidRange':
      return new CairnError(
        'storage_failed',
        `The range asked of ${ctx.key ?? ''} starts past its end.`,
      )
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
      return new CairnError(
        'remote_error',
        `The storage says ${where} needs a different endpoint or region. Check "Endpoint" and "Region" in Settings → Storage.`,
      )
  }
  if (f.status === 403) return forbidden(where, ctx.operation)
  if (f.status === 404)
    return new CairnError('not_found', `The object ${ctx.key ?? ''} does not exist in ${where}.`)
  if (f.status === 412)
    return new CairnError('conflict', `The object ${ctx.key ?? ''} already exists in ${where}.`)
  if (f.status === 429 || throttlingNames.has(f.name)) {
    return new CairnError(
      'rate_limited',
      `The storage at ${ctx.host} kept asking Cairn to slow down. Try again in a minute.`,
    )
  }
  if (f.status === undefined) {
    return new CairnError(
      'unreachable',
      `Cairn could not reach the storage at ${ctx.host} (${networkReason(f, error)}). Check "Endpoint" in Settings → Storage and your internet connection.`,
    )
  }
  return new CairnError(
    'storage_failed',
    `The storage at ${ctx.host} answered ${f.status}${f.name && f.name !== 'Error' && f.name !== 'Unknown' ? ` (${f.name})` : ''} to a ${ctx.operation} request.`,
    { status: f.status },
  )
}

function forbidden(where: string, operation: string): CairnError {
  return new CairnError(
    'forbidden',
    `The access key may not ${operation} in ${where}. Give it read and write access to this bucket (on R2: an API token with "Object Read & Write" for the bucket).`,
  )
}

function networkReason(f: S3Failure, error: unknown): string {
  switch (f.code) {
    case 'ENOTFOUND':
    case 'EAI_NONAME':
      return 'the host name does not resolve'
    case 'EAI_AGAIN':
      return 'the host name could not be resolved (is this computer offline?)'
    case 'ECONNREFUSED':
      return 'the connection was refused'
    case 'ECONNRESET':
    case 'EPIPE':
      return 'the connection kept dropping'
    case 'ETIMEDOUT':
      return 'connecting timed out'
  }
  if (f.name === 'TimeoutError' || f.name === 'AbortError') return 'it did not answer in time'
  const message = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 120) : ''
  return message || 'network error'
}
