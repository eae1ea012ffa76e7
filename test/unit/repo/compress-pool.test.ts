import { randomBytes } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { decodePlaintext, encodePlaintext } from '../../../src/main/core/repo/compression/codec'
import { CompressPool } from '../../../src/main/core/repo/compression/compress-pool'

const pool = new CompressPool(2)
afterAll(() => pool.close())

function samples(): Uint8Array[] {
  const text = Buffer.from(
    'export const value = compute(input) // a line of source code\n'.repeat(5000),
  )
  const random = randomBytes(300 * 1024)
  const mixed = Buffer.concat([random.subarray(0, 40 * 1024), text.subarray(0, 40 * 1024)])
  return [
    text.subarray(0, 200),
    text.subarray(0, 4096),
    text.subarray(0, 64 * 1024),
    text.subarray(0, 256 * 1024),
    random.subarray(0, 1000),
    random.subarray(0, 64 * 1024),
    random,
    mixed,
    // A view into a bigger buffer: only its own bytes are compressed.
    text.subarray(1000, 20_000),
  ]
}

describe('CompressPool', () => {
  it('makes the same decisions and output as encodePlaintext, in worker threads', async () => {
    const inputs = samples()
    const pooled = await Promise.all(inputs.map((raw) => pool.encode(raw)))
    for (const [i, raw] of inputs.entries()) {
      const local = await encodePlaintext(raw, true, false)
      const got = pooled[i]!
      expect(got.codec, `input ${i}`).toBe(local.codec)
      expect(Buffer.from(got.body).equals(Buffer.from(local.body)), `input ${i}`).toBe(true)
      const back = await decodePlaintext(got.codec, got.body, raw.length)
      expect(back.equals(Buffer.from(raw))).toBe(true)
    }
  })

  it('leaves the caller its bytes and keeps many concurrent blobs apart', async () => {
    const inputs = Array.from({ length: 200 }, (_, i) =>
      Buffer.from(`blob ${i} `.repeat(50 + (i % 300))),
    )
    const copies = inputs.map((b) => Buffer.from(b))
    const encoded = await Promise.all(inputs.map((raw) => pool.encode(raw)))
    for (const [i, e] of encoded.entries()) {
      expect(inputs[i]!.equals(copies[i]!)).toBe(true)
      const back = await decodePlaintext(e.codec, e.body, inputs[i]!.length)
      expect(back.equals(copies[i]!)).toBe(true)
    }
  })
})
