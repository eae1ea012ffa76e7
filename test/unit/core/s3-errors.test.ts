import { describe, expect, it } from 'vitest'
import { classifyS3Error, mapS3Error } from '../../../src/main/core/storage/s3-errors'

/** Errors shaped like the ones @aws-sdk/client-s3 throws. */
function s3Error(name: string, status?: number): Error {
  const error = new Error(name) as Error & { $metadata: { httpStatusCode?: number } }
  error.name = name
  error.$metadata = status === undefined ? {} : { httpStatusCode: status }
  return error
}
function netError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code })
}
const ctx = {
  bucket: 'backups',
  host: 'acct.r2.cloudflarestorage.com',
  operation: 'put' as const,
  key: 'k',
}

describe('S3 error handling', () => {
  it('retries throttling, server errors, timeouts and dropped connections only', () => {
    for (const e of [
      s3Error('SlowDown', 503),
      s3Error('Unknown', 429),
      s3Error('InternalError', 500),
      s3Error('TimeoutError'),
      netError('ECONNRESET'),
      netError('ECONNREFUSED'),
    ]) {
      expect(classifyS3Error(e), e.name).toEqual({ retry: true })
    }
    for (const e of [
      s3Error('InvalidAccessKeyId', 403),
      s3Error('SignatureDoesNotMatch', 403),
      s3Error('AccessDenied', 403),
      s3Error('NoSuchBucket', 404),
      s3Error('PreconditionFailed', 412),
      netError('ENOTFOUND'),
    ]) {
      expect(classifyS3Error(e), e.name).toEqual({ retry: false })
    }
  })

  it('maps failures to codes with messages that say which setting to check', () => {
    expect(mapS3Error(s3Error('InvalidAccessKeyId', 403), ctx)).toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining('Access key ID'),
    })
    expect(mapS3Error(s3Error('SignatureDoesNotMatch', 403), ctx)).toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining('Secret access key'),
    })
    expect(mapS3Error(s3Error('AccessDenied', 403), ctx).code).toBe('forbidden')
    expect(mapS3Error(s3Error('NoSuchBucket', 404), ctx)).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining(
        'bucket backups does not exist at acct.r2.cloudflarestorage.com',
      ),
    })
    expect(mapS3Error(s3Error('PreconditionFailed', 412), ctx).code).toBe('conflict')
    expect(mapS3Error(netError('ENOTFOUND'), ctx)).toMatchObject({
      code: 'unreachable',
      message: expect.stringContaining('does not resolve'),
    })
    expect(mapS3Error(netError('ECONNREFUSED'), ctx).code).toBe('unreachable')
    expect(mapS3Error(s3Error('Weird', 500), ctx).code).toBe('storage_failed')
  })
})
