// Deterministic randomness for the generated dataset: the same seed gives the same bytes on every
// machine and Node version (no Math.random, no platform-dependent generators).
import { createCipheriv, createHash } from 'node:crypto'

/** sfc32: small, fast and good enough for shaping test data; seeded from a label by SHA-256. */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(...label: (string | number)[]) {
    const h = createHash('sha256').update(label.join('\0')).digest()
    this.a = h.readUInt32LE(0)
    this.b = h.readUInt32LE(4)
    this.c = h.readUInt32LE(8)
    this.d = h.readUInt32LE(12)
    for (let i = 0; i < 12; i++) this.u32()
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T
  }

  /** Skewed towards the front of the list (a few items used a lot, like identifiers in code). */
  pickSkewed<T>(items: readonly T[]): T {
    const r = this.next()
    return items[Math.floor(r * r * r * items.length)] as T
  }

  /** Log-normal around `median` (sigma in natural-log units), clamped to [min, max]. */
  logNormal(median: number, sigma: number, min: number, max: number): number {
    const u1 = Math.max(this.next(), 1e-12)
    const u2 = this.next()
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
    return Math.round(Math.min(max, Math.max(min, median * Math.exp(sigma * z))))
  }
}

/**
 * Incompressible bytes: an AES-256-CTR keystream keyed by the label (fast: ~1 GB/s with AES-NI).
 * Successive calls continue the stream.
 */
export class NoiseStream {
  private readonly cipher
  private static readonly zeros = Buffer.alloc(1 << 20)

  constructor(...label: (string | number)[]) {
    const key = createHash('sha256').update(label.join('\0')).digest()
    this.cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16))
  }

  bytes(n: number): Buffer {
    const parts: Buffer[] = []
    for (let left = n; left > 0; left -= NoiseStream.zeros.length) {
      parts.push(
        this.cipher.update(NoiseStream.zeros.subarray(0, Math.min(left, NoiseStream.zeros.length))),
      )
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)
  }
}
