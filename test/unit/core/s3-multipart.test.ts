import { describe, expect, it } from 'vitest'
import {
  defaultMultipartConcurrency,
  defaultMultipartThreshold,
  defaultPartSize,
  maxParts,
  multipartSettings,
  planParts,
} from '../../../src/main/core/storage/s3-multipart'

const MiB = 1024 * 1024

describe('planParts', () => {
  it('cuts equal parts and a last part of the rest, covering every byte once', () => {
    for (const [size, partSize, lengths] of [
      [10 * MiB, 5 * MiB, [5 * MiB, 5 * MiB]],
      [10 * MiB + 1, 5 * MiB, [5 * MiB, 5 * MiB, 1]],
      [6 * MiB, 5 * MiB, [5 * MiB, 1 * MiB]],
      [70 * MiB, 16 * MiB, [16 * MiB, 16 * MiB, 16 * MiB, 16 * MiB, 6 * MiB]],
    ] as const) {
      const parts = planParts(size, partSize)
      expect(parts.map((p) => p.length)).toEqual(lengths)
      expect(parts.map((p) => p.number)).toEqual(lengths.map((_, i) => i + 1))
      let offset = 0
      for (const p of parts) {
        expect(p.offset).toBe(offset)
        offset += p.length
      }
      expect(offset).toBe(size)
    }
  })

  it('keeps every part but the last the same size and the last no larger (R2)', () => {
    for (let i = 0; i < 200; i++) {
      const partSize = 5 * MiB + Math.floor(Math.random() * 20 * MiB)
      const size = partSize + 1 + Math.floor(Math.random() * 30 * partSize)
      const parts = planParts(size, partSize)
      const last = parts.at(-1)!
      expect(parts.slice(0, -1).every((p) => p.length === partSize)).toBe(true)
      expect(last.length).toBeGreaterThan(0)
      expect(last.length).toBeLessThanOrEqual(partSize)
      expect(last.offset + last.length).toBe(size)
    }
  })

  it('grows the part size in whole MiB when 10,000 parts would not hold the object', () => {
    const size = 60_000 * MiB + 7
    const parts = planParts(size, 5 * MiB)
    expect(parts.length).toBeLessThanOrEqual(maxParts)
    expect(parts[0]!.length % MiB).toBe(0)
    expect(parts[0]!.length).toBe(7 * MiB)
    expect(parts.slice(0, -1).every((p) => p.length === parts[0]!.length)).toBe(true)
    expect(parts.reduce((sum, p) => sum + p.length, 0)).toBe(size)
  })
})

describe('multipartSettings', () => {
  it('defaults to 64 MiB threshold, 16 MiB parts, 4 at once', () => {
    expect(multipartSettings({})).toEqual({
      threshold: defaultMultipartThreshold,
      partSize: defaultPartSize,
      concurrency: defaultMultipartConcurrency,
    })
    expect(defaultMultipartThreshold).toBe(64 * MiB)
    expect(defaultPartSize).toBe(16 * MiB)
  })

  it('refuses parts under 5 MiB, a threshold not above the part size, and odd concurrency', () => {
    const bad = [
      { multipartPartSize: 5 * MiB - 1 },
      { multipartPartSize: 5.5 * MiB + 0.5 },
      { multipartThreshold: 16 * MiB },
      { multipartThreshold: 6 * MiB, multipartPartSize: 8 * MiB },
      { multipartThreshold: 6 * 1024 * MiB },
      { multipartConcurrency: 0 },
      { multipartConcurrency: 1.5 },
      { multipartConcurrency: 33 },
    ]
    for (const options of bad) {
      expect(() => multipartSettings(options), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'invalid_input' }),
      )
    }
    expect(
      multipartSettings({
        multipartThreshold: 6 * MiB,
        multipartPartSize: 5 * MiB,
        multipartConcurrency: 1,
      }),
    ).toEqual({ threshold: 6 * MiB, partSize: 5 * MiB, concurrency: 1 })
  })
})
