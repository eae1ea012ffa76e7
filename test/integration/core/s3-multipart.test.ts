import { randomBytes } from 'node:crypto'
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { afterAll, describe, expect, it } from 'vitest'
import { emptyRequestCounts } from '../../../src/main/core/storage/object-store'
import { S3Store, type S3StoreOptions } from '../../../src/main/core/storage/s3-store'
import { cloudInfo } from '../../support/cloud-info'
import { faultyS3Proxy } from '../../support/faulty-proxy'

const MiB = 1024 * 1024
const prefix = `core-s3-multipart-${randomBytes(4).toString('hex')}`
/** A lowered threshold with the smallest parts S3 and R2 allow, for fast tests. */
const small = { multipartThreshold: 6 * MiB, multipartPartSize: 5 * MiB }
const quickRetry = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 }

const stores: S3Store[] = []
function store(overrides: Partial<S3StoreOptions> = {}): S3Store {
  const info = cloudInfo().s3
  const s = new S3Store({
    endpoint: info.endpoint,
    region: info.region,
    bucket: info.bucket,
    accessKeyId: info.accessKeyId,
    secretAccessKey: info.secretAccessKey,
    prefix,
    ...overrides,
  })
  stores.push(s)
  return s
}

let raw: S3Client | undefined
/** The SDK straight at the local s3rver, for what ObjectStore does not offer. */
function rawClient(): S3Client {
  const info = cloudInfo().s3
  raw ??= new S3Client({
    endpoint: info.endpoint,
    region: info.region,
    forcePathStyle: true,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  return raw
}

/** Multipart uploads not completed or aborted, for keys under `key`. */
async function pendingUploads(key: string): Promise<string[]> {
  const out = await rawClient().send(
    new ListMultipartUploadsCommand({ Bucket: cloudInfo().s3.bucket, Prefix: `${prefix}/${key}` }),
  )
  return (out.Uploads ?? []).map((u) => u.Key!)
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  )
}

/**
 * An HTTP proxy in front of s3rver that forwards every request, but for those `lose` picks it lets
 * the request take effect and then drops the connection instead of answering (a lost response).
 */
async function losingProxy(lose: (req: IncomingMessage) => boolean) {
  const target = new URL(cloudInfo().s3.endpoint)
  let lost = 0
  const server = createServer((req, res) => {
    const drop = lose(req)
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if (drop) {
          lost++
          answer.resume()
          answer.on('end', () => req.socket.destroy())
          return
        }
        res.writeHead(answer.statusCode!, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    lost: () => lost,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

afterAll(() => {
  for (const s of stores) s.destroy()
  raw?.destroy()
})

describe('S3Store multipart uploads against the local cloud (s3rver)', () => {
  it('uploads a 70 MiB object in five 16 MiB parts and reads it back exactly', async () => {
    const s = store()
    const body = randomBytes(70 * MiB)
    const started = Date.now()
    await s.put('big/70', body)
    const putMs = Date.now() - started
    // Create + 5 parts (4 × 16 MiB + 6 MiB) + Complete; every byte sent once.
    expect(s.requests).toEqual({ ...emptyRequestCounts(), put: 7, bytesUp: 70 * MiB })
    expect(await s.head('big/70')).toMatchObject({ size: 70 * MiB })
    expect(same(await s.get('big/70'), body)).toBe(true)
    for (const offset of [16 * MiB - 100, 64 * MiB - 1]) {
      const range = await s.get('big/70', { range: { offset, length: 200 } })
      expect(same(range, body.subarray(offset, offset + 200)), `range at ${offset}`).toBe(true)
    }
    expect(await pendingUploads('big/')).toEqual([])
    console.info(`70 MiB multipart put: ${putMs} ms`)
  })

  it('uses one PUT below the threshold and parts from it on, at odd sizes', async () => {
    const s = store(small)
    for (const [size, puts] of [
      [6 * MiB - 1, 1], // below the threshold: a single PUT
      [6 * MiB, 4], // at the threshold: Create, 5 MiB + 1 MiB, Complete
      [10 * MiB, 4], // an exact multiple of the part size: two full parts
      [10 * MiB + 1, 5], // one byte over: a third part of one byte
    ] as const) {
      const body = randomBytes(size)
      const before = s.requests.put
      await s.put(`odd/${size}`, body.subarray(0))
      expect(s.requests.put - before, `requests for ${size} bytes`).toBe(puts)
      const back = await s.get(`odd/${size}`)
      expect(back.byteLength).toBe(size)
      expect(same(back, body), `bytes of ${size}`).toBe(true)
    }
    // A body that is a view into a larger buffer uploads only its own bytes.
    const backing = randomBytes(12 * MiB)
    const view = backing.subarray(MiB + 3, 11 * MiB)
    await s.put('odd/view', view)
    expect(same(await s.get('odd/view'), view)).toBe(true)
    expect(await pendingUploads('odd/')).toEqual([])
  })

  it('create-only: a second create is a conflict, the upload is aborted, the object kept', async () => {
    const s = store(small)
    const first = randomBytes(7 * MiB)
    await s.put('once/a', first, { createOnly: true })
    expect(s.requests).toMatchObject({ put: 4, delete: 0 })
    const error = await s
      .put('once/a', randomBytes(7 * MiB), { createOnly: true })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'conflict', message: expect.stringContaining('once/a') })
    // Create + 2 parts + the refused Complete, then one Abort.
    expect(s.requests).toMatchObject({ put: 8, delete: 1 })
    expect(await pendingUploads('once/')).toEqual([])
    expect(same(await s.get('once/a'), first)).toBe(true)

    // Of concurrent create-only multipart uploads of one key exactly one wins.
    const bodies = [0, 1, 2].map(() => randomBytes(6 * MiB + 5))
    const results = await Promise.allSettled(
      bodies.map((b) => s.put('once/race', b, { createOnly: true })),
    )
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []))
    expect(winners).toHaveLength(1)
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'conflict' })
    }
    expect(same(await s.get('once/race'), bodies[winners[0]!]!)).toBe(true)
    expect(await pendingUploads('once/')).toEqual([])
  })

  it('retries a part answered 503 SlowDown and one cut mid-transfer; the object is exact', async () => {
    // Connection 0 carries Create; the parts open connections 1.. in parallel.
    const proxy = await faultyS3Proxy((n) =>
      n === 1 ? 'slowdown' : n === 2 ? { cutAfterBytes: 2 * MiB } : 'pass',
    )
    try {
      const s = store({ ...small, endpoint: proxy.endpoint, retry: quickRetry })
      const body = randomBytes(21 * MiB) // five parts
      await s.put('flaky/a', body)
      // Create + 5 parts + Complete, plus one retry for each failed part.
      expect(s.requests.put).toBe(9)
      expect(s.requests.bytesUp).toBeGreaterThan(21 * MiB)
      expect(same(await s.get('flaky/a'), body)).toBe(true)
      expect(await pendingUploads('flaky/')).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  it('a Complete whose answer was lost and whose retry finds the upload gone succeeds', async () => {
    let completes = 0
    const isComplete = (req: IncomingMessage) =>
      req.method === 'POST' && /[?&]uploadId=/.test(req.url ?? '')
    const proxy = await losingProxy((req) => isComplete(req) && completes++ % 2 === 0)
    try {
      const s = store({ ...small, endpoint: proxy.endpoint, retry: quickRetry })
      for (const [key, createOnly] of [
        ['lost/a', false],
        ['lost/b', true],
      ] as const) {
        const body = randomBytes(7 * MiB)
        const before = { ...s.requests }
        await s.put(key, body, { createOnly })
        // Create + 2 parts + Complete twice (the retry gets NoSuchUpload), then the object is read
        // back to make sure the first Complete stored exactly this body.
        expect(s.requests.put - before.put).toBe(5)
        expect(s.requests.head - before.head).toBe(1)
        expect(s.requests.get - before.get).toBe(1)
        expect(same(await s.get(key), body)).toBe(true)
      }
      expect(proxy.lost()).toBe(2)
      // A lost Complete followed by someone else's object is still a conflict.
      await expect(
        s.put('lost/a', randomBytes(7 * MiB), { createOnly: true }),
      ).rejects.toMatchObject({ code: 'conflict' })
      expect(await pendingUploads('lost/')).toEqual([])
    } finally {
      await proxy.close()
    }
  })

  it('aborts the upload when a part fails for good, and reports that failure', async () => {
    // Create passes; the first six connections the parts open answer 500.
    const proxy = await faultyS3Proxy((n) => (n >= 1 && n <= 6 ? 'error500' : 'pass'))
    try {
      const s = store({
        ...small,
        endpoint: proxy.endpoint,
        retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
      })
      const error = await s.put('broken/a', randomBytes(21 * MiB)).catch((e: unknown) => e)
      expect(error).toMatchObject({
        code: 'storage_failed',
        message: expect.stringContaining('500'),
      })
      expect(s.requests.delete).toBe(1)
      expect(await pendingUploads('broken/')).toEqual([])
      expect(await s.head('broken/a')).toBeNull()
    } finally {
      await proxy.close()
    }
  })

  it('stops and aborts the upload when the caller aborts mid-upload', async () => {
    // Three of the four parallel parts hang; the caller gives up after 300 ms.
    const proxy = await faultyS3Proxy((n) => (n >= 1 && n <= 3 ? 'hang' : 'pass'))
    try {
      const s = store({ ...small, endpoint: proxy.endpoint })
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 300)
      const started = Date.now()
      const error = await s
        .put('cancel/a', randomBytes(25 * MiB), { signal: controller.signal })
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'cancelled' })
      expect(Date.now() - started).toBeLessThan(3_000)
      expect(s.requests.delete).toBe(1)
      expect(await pendingUploads('cancel/')).toEqual([])
      expect(await s.head('cancel/a')).toBeNull()

      const before = { ...s.requests }
      await expect(
        s.put('cancel/b', randomBytes(7 * MiB), { signal: AbortSignal.abort() }),
      ).rejects.toMatchObject({ code: 'cancelled' })
      expect(s.requests).toEqual(before)
    } finally {
      await proxy.close()
    }
  })
})

describe('the local cloud keeps R2 multipart rules', () => {
  const bucket = () => cloudInfo().s3.bucket
  const key = `${prefix}/rules/x`

  async function upload(sizes: number[]): Promise<{ id: string; etags: string[] }> {
    const c = rawClient()
    const { UploadId } = await c.send(
      new CreateMultipartUploadCommand({ Bucket: bucket(), Key: key }),
    )
    const etags: string[] = []
    for (const [i, size] of sizes.entries()) {
      const out = await c.send(
        new UploadPartCommand({
          Bucket: bucket(),
          Key: key,
          UploadId,
          PartNumber: i + 1,
          Body: randomBytes(size),
        }),
      )
      etags.push(out.ETag!)
    }
    return { id: UploadId!, etags }
  }
  async function completeError(id: string, parts: { n: number; etag: string }[]) {
    return rawClient()
      .send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket(),
          Key: key,
          UploadId: id,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.n, ETag: p.etag })) },
        }),
      )
      .then(
        () => undefined,
        (e: unknown) => (e as Error).name,
      )
  }

  it('refuses small or unequal parts, wrong ETags and order; aborts and lists', async () => {
    const a = await upload([1 * MiB, 1 * MiB])
    expect(
      await completeError(a.id, [
        { n: 1, etag: a.etags[0]! },
        { n: 2, etag: a.etags[1]! },
      ]),
    ).toBe('EntityTooSmall')
    const b = await upload([5 * MiB, 6 * MiB, 10])
    const bParts = b.etags.map((etag, i) => ({ n: i + 1, etag }))
    expect(await completeError(b.id, bParts)).toBe('InvalidPart') // unequal non-trailing parts
    expect(await completeError(b.id, [bParts[1]!, bParts[0]!])).toBe('InvalidPartOrder')
    expect(await completeError(b.id, [{ n: 1, etag: b.etags[2]! }])).toBe('InvalidPart')
    expect((await pendingUploads('rules/')).length).toBe(2)
    for (const id of [a.id, b.id]) {
      await rawClient().send(
        new AbortMultipartUploadCommand({ Bucket: bucket(), Key: key, UploadId: id }),
      )
    }
    expect(await pendingUploads('rules/')).toEqual([])
    await expect(
      rawClient().send(
        new AbortMultipartUploadCommand({ Bucket: bucket(), Key: key, UploadId: a.id }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' })
  })
})
