import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { S3Store, type S3StoreOptions } from '../../../src/main/core/storage/s3-store'
import { testStorage } from '../../../src/main/core/storage/storage-check'
import { cloudInfo } from '../../support/cloud-info'
import { faultyS3Proxy as faultyProxy } from '../../support/faulty-proxy'

const s3 = () => cloudInfo().s3
const prefix = `core-s3-${randomBytes(4).toString('hex')}`

function store(overrides: Partial<S3StoreOptions> = {}): S3Store {
  const info = s3()
  return new S3Store({
    endpoint: info.endpoint,
    region: info.region,
    bucket: info.bucket,
    accessKeyId: info.accessKeyId,
    secretAccessKey: info.secretAccessKey,
    prefix,
    ...overrides,
  })
}

async function keys(iterable: AsyncIterable<{ key: string }>): Promise<string[]> {
  const out: string[] = []
  for await (const item of iterable) out.push(item.key)
  return out
}

describe('S3Store against the local cloud (s3rver)', () => {
  const main = store()
  afterAll(() => main.destroy())

  it('stores exact bytes and reads them back whole and by range', async () => {
    for (const size of [0, 1, 1000, 5 * 1024 * 1024 + 17]) {
      const body = randomBytes(size)
      await main.put(`exact/${size}`, body)
      const back = await main.get(`exact/${size}`)
      expect(Buffer.from(back).equals(body), `size ${size}`).toBe(true)
      expect(await main.head(`exact/${size}`)).toMatchObject({ key: `exact/${size}`, size })
      if (size > 100) {
        const part = await main.get(`exact/${size}`, { range: { offset: 37, length: 50 } })
        expect(Buffer.from(part).equals(body.subarray(37, 87))).toBe(true)
        const tail = await main.get(`exact/${size}`, { range: { offset: size - 10, length: 100 } })
        expect(Buffer.from(tail).equals(body.subarray(size - 10))).toBe(true)
      }
    }
    expect(await main.head('exact/none')).toBeNull()
    await expect(main.get('exact/none')).rejects.toMatchObject({ code: 'not_found' })
  })

  it('create-only puts: a second create is a conflict, and of concurrent creators one wins', async () => {
    await main.put('once/a', new Uint8Array([1]), { createOnly: true })
    await expect(
      main.put('once/a', new Uint8Array([2]), { createOnly: true }),
    ).rejects.toMatchObject({
      code: 'conflict',
    })
    expect(Array.from(await main.get('once/a'))).toEqual([1])
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        main.put('once/race', new Uint8Array([i]), { createOnly: true }),
      ),
    )
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []))
    expect(winners).toHaveLength(1)
    expect(Array.from(await main.get('once/race'))).toEqual(winners)
  })

  it('lists every key in order across pages, and deletes', async () => {
    const s = store({ prefix: `${prefix}-list` })
    try {
      const names = Array.from({ length: 1100 }, (_, i) => `many/${String(i).padStart(5, '0')}`)
      for (let i = 0; i < names.length; i += 50) {
        await Promise.all(names.slice(i, i + 50).map((k) => s.put(k, new Uint8Array([1]))))
      }
      const before = s.requests.list
      expect(await keys(s.list('many/'))).toEqual(names)
      expect(s.requests.list - before).toBe(2) // 1000 + 100: two pages
      expect(await keys(s.list('many/0000'))).toEqual(names.slice(0, 10))
      await s.delete('many/00000')
      await s.delete('many/00000') // absent: fine
      expect(await keys(s.list('many/0000'))).toEqual(names.slice(1, 10))
    } finally {
      s.destroy()
    }
  })

  it('counts every request and byte', async () => {
    const s = store()
    try {
      await s.put('count/a', randomBytes(100))
      await s.get('count/a')
      await s.head('count/a')
      await keys(s.list('count/'))
      await s.delete('count/a')
      expect(s.requests).toEqual({
        put: 1,
        get: 1,
        head: 1,
        list: 1,
        delete: 1,
        bytesUp: 100,
        bytesDown: 100,
      })
    } finally {
      s.destroy()
    }
  })

  it('passes the connection test, leaving nothing behind', async () => {
    const result = await testStorage(main)
    expect(result.ok).toBe(true)
    expect(result.steps.map((s) => s.step)).toEqual(['connect', 'write', 'read', 'delete'])
    expect(await keys(main.list('cairn-connection-test/'))).toEqual([])
  })

  it('reports a wrong access key ID as unauthorized, naming the setting', async () => {
    const s = store({ accessKeyId: 'NOT-A-KEY' })
    const result = await testStorage(s)
    s.destroy()
    expect(result.ok).toBe(false)
    expect(result.steps).toHaveLength(1)
    expect(result.steps[0]).toMatchObject({
      step: 'connect',
      ok: false,
      message: expect.stringContaining('Access key ID'),
    })
    await expect(
      store({ accessKeyId: 'NOT-A-KEY' }).put('x', new Uint8Array(1)),
    ).rejects.toMatchObject({
      code: 'unauthorized',
    })
  })

  it('reports a wrong secret as unauthorized, without the secret in the message', async () => {
    const wrong = 'definitely-not-the-secret-0123456789'
    const s = store({ secretAccessKey: wrong })
    const error = await s.put('x', new Uint8Array(1)).catch((e: unknown) => e)
    s.destroy()
    expect(error).toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining('Secret access key'),
    })
    expect((error as Error).message).not.toContain(wrong)
  })

  it('reports a missing bucket as not_found, naming bucket and endpoint', async () => {
    const s = store({ bucket: 'no-such-bucket-here' })
    const error = await keys(s.list('')).catch((e: unknown) => e)
    s.destroy()
    const host = new URL(s3().endpoint).host
    expect(error).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining(`bucket no-such-bucket-here does not exist at ${host}`),
    })
  })

  it('reports an unreachable endpoint quickly, after bounded retries', async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const { port } = closed.address() as { port: number }
    await new Promise<void>((r) => closed.close(() => r()))
    const s = store({ endpoint: `http://127.0.0.1:${port}` })
    const started = Date.now()
    const error = await s.put('x', new Uint8Array(1)).catch((e: unknown) => e)
    s.destroy()
    expect(error).toMatchObject({
      code: 'unreachable',
      message: expect.stringContaining('refused'),
    })
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(s.requests.put).toBe(5) // every attempt counted
    const dns = store({ endpoint: 'http://cairn-no-such-host.invalid' })
    await expect(dns.get('x')).rejects.toMatchObject({
      code: 'unreachable',
      message: expect.stringContaining('resolve'),
    })
    expect(dns.requests.get).toBe(1) // an unknown host is not retried
    dns.destroy()
  })

  it('retries dropped connections and SlowDown, counting each attempt', async () => {
    const proxy = await faultyProxy((n) => (n === 0 ? 'drop' : n === 1 ? 'slowdown' : 'pass'))
    const s = store({ endpoint: proxy.endpoint })
    try {
      const body = randomBytes(2048)
      await s.put('retry/a', body, { createOnly: true })
      expect(s.requests.put).toBe(3)
      expect(Buffer.from(await main.get('retry/a')).equals(body)).toBe(true)
    } finally {
      s.destroy()
      await proxy.close()
    }
  })

  it('gives each attempt a deadline, and stops at once when aborted', async () => {
    const proxy = await faultyProxy(() => 'hang')
    const s = store({
      endpoint: proxy.endpoint,
      timeoutMs: 300,
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
    })
    try {
      const started = Date.now()
      await expect(s.get('x')).rejects.toMatchObject({
        code: 'unreachable',
        message: expect.stringContaining('in time'),
      })
      expect(Date.now() - started).toBeLessThan(3_000)
      expect(s.requests.get).toBe(2)

      const patient = store({ endpoint: proxy.endpoint })
      const controller = new AbortController()
      setTimeout(() => controller.abort(), 200)
      const t = Date.now()
      await expect(patient.get('x', { signal: controller.signal })).rejects.toMatchObject({
        code: 'cancelled',
      })
      expect(Date.now() - t).toBeLessThan(2_000)
      patient.destroy()
    } finally {
      s.destroy()
      await proxy.close()
    }
  })
})

describe('S3Store keys', () => {
  let s: S3Store
  beforeAll(() => {
    s = store()
  })
  afterAll(() => s.destroy())

  it('refuses keys that are not portable relative paths', async () => {
    for (const key of ['', '../x', '/abs', 'a\\b', 'a//b']) {
      await expect(s.put(key, new Uint8Array(1)), key).rejects.toMatchObject({
        code: 'invalid_input',
      })
    }
    expect(s.requests.put).toBe(0)
  })
})
