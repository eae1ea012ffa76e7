import { randomBytes, randomUUID } from 'node:crypto'
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3'
import { describe, expect, it } from 'vitest'
import { cloudInfo } from '../../support/cloud-info'

// The local S3 (s3rver) with the R2 behaviours Cairn relies on, through the AWS SDK as Cairn
// configures it for R2.

function client(secretAccessKey?: string): S3Client {
  const { s3 } = cloudInfo()
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: s3.accessKeyId,
      secretAccessKey: secretAccessKey ?? s3.secretAccessKey,
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
}

const bucket = () => cloudInfo().s3.bucket
const prefix = `s3-test-${randomUUID()}/`

async function get(s3: S3Client, key: string): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }))
  return Buffer.from(await res.Body!.transformToByteArray())
}

async function failure(p: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await p
  } catch (error) {
    if (error instanceof S3ServiceException) return error
    throw error
  }
  throw new Error('expected the request to fail')
}

describe('local S3', () => {
  it('stores and returns exact bytes: random binary, empty, 5 MiB', async () => {
    const s3 = client()
    for (const [name, body] of [
      ['binary', randomBytes(70_001)],
      ['empty', Buffer.alloc(0)],
      ['five-mib', randomBytes(5 * 1024 * 1024)],
    ] as const) {
      const key = `${prefix}bytes/${name}`
      await s3.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: body }))
      expect((await get(s3, key)).equals(body)).toBe(true)
    }
  })

  it('lists more than 1000 keys page by page with continuation tokens', async () => {
    const s3 = client()
    const keys = Array.from(
      { length: 1105 },
      (_, i) => `${prefix}many/${String(i).padStart(5, '0')}`,
    )
    for (let i = 0; i < keys.length; i += 32) {
      await Promise.all(
        keys
          .slice(i, i + 32)
          .map((Key) => s3.send(new PutObjectCommand({ Bucket: bucket(), Key, Body: 'x' }))),
      )
    }
    const listed: string[] = []
    let token: string | undefined
    let pages = 0
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket(),
          Prefix: `${prefix}many/`,
          ContinuationToken: token,
        }),
      )
      pages++
      listed.push(...(page.Contents ?? []).map((o) => o.Key ?? ''))
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
    expect(pages).toBe(2)
    expect(listed).toEqual(keys)
  })

  it('refuses a PUT with If-None-Match: * when the key exists (412), also under a race', async () => {
    const s3 = client()
    const key = `${prefix}create-only`
    await s3.send(
      new PutObjectCommand({ Bucket: bucket(), Key: key, Body: 'first', IfNoneMatch: '*' }),
    )
    const err = await failure(
      s3.send(
        new PutObjectCommand({ Bucket: bucket(), Key: key, Body: 'second', IfNoneMatch: '*' }),
      ),
    )
    expect(err.name).toBe('PreconditionFailed')
    expect(err.$metadata.httpStatusCode).toBe(412)
    expect((await get(s3, key)).toString()).toBe('first')

    const raced = `${prefix}raced`
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        s3.send(
          new PutObjectCommand({
            Bucket: bucket(),
            Key: raced,
            Body: `writer-${i}`,
            IfNoneMatch: '*',
          }),
        ),
      ),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    // A plain PUT (no condition) still overwrites.
    await s3.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: 'third' }))
    expect((await get(s3, key)).toString()).toBe('third')
  })

  it('deletes objects; refuses unsigned requests and wrong secrets (403)', async () => {
    const s3 = client()
    const key = `${prefix}to-delete`
    await s3.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: 'bye' }))
    await s3.send(new DeleteObjectCommand({ Bucket: bucket(), Key: key }))
    expect((await failure(get(s3, key))).name).toBe('NoSuchKey')

    // s3rver alone accepts any V4 signature and unsigned requests; the local S3 refuses both.
    const anonymous = await fetch(`${cloudInfo().s3.endpoint}/${bucket()}/${key}`)
    expect(anonymous.status).toBe(403)
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>')
    const wrong = await failure(
      client('not-the-secret').send(new GetObjectCommand({ Bucket: bucket(), Key: key })),
    )
    expect(wrong.name).toBe('SignatureDoesNotMatch')
    expect(wrong.$metadata.httpStatusCode).toBe(403)
  })
})
