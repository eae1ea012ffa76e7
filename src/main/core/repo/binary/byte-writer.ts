/**
 * A growable little-endian byte builder for the repository's binary formats. Varints are LEB128
 * (7 bits per byte, low group first) computed with arithmetic rather than bit operators so that
 * every safe integer (up to 2^53 - 1) round-trips, not only 32-bit values.
 */
export class ByteWriter {
  private buffer: Buffer
  private length = 0

  constructor(initialCapacity = 256) {
    this.buffer = Buffer.allocUnsafe(initialCapacity)
  }

  get size(): number {
    return this.length
  }

  private reserve(extra: number): void {
    const needed = this.length + extra
    if (needed <= this.buffer.length) return
    let capacity = this.buffer.length * 2
    while (capacity < needed) capacity *= 2
    const next = Buffer.allocUnsafe(capacity)
    this.buffer.copy(next, 0, 0, this.length)
    this.buffer = next
  }

  u8(value: number): this {
    this.reserve(1)
    this.buffer[this.length++] = value
    return this
  }

  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`u32 out of range: ${value}`)
    }
    this.reserve(4)
    this.buffer.writeUInt32LE(value, this.length)
    this.length += 4
    return this
  }

  uvarint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`uvarint out of range: ${value}`)
    this.reserve(8)
    let rest = value
    while (rest >= 0x80) {
      this.buffer[this.length++] = (rest % 0x80) | 0x80
      rest = Math.floor(rest / 0x80)
    }
    this.buffer[this.length++] = rest
    return this
  }

  /** Zig-zag: 0, -1, 1, -2 … map to 0, 1, 2, 3 …; |value| must stay below 2^52. */
  svarint(value: number): this {
    if (!Number.isSafeInteger(value) || Math.abs(value) >= 2 ** 52) {
      throw new RangeError(`svarint out of range: ${value}`)
    }
    return this.uvarint(value >= 0 ? value * 2 : -value * 2 - 1)
  }

  bytes(data: Uint8Array): this {
    this.reserve(data.length)
    this.buffer.set(data, this.length)
    this.length += data.length
    return this
  }

  /** Length (uvarint) followed by the bytes. */
  lengthPrefixed(data: Uint8Array): this {
    return this.uvarint(data.length).bytes(data)
  }

  /** The bytes written so far (a view; copy it if the writer is reused). */
  finish(): Buffer {
    return this.buffer.subarray(0, this.length)
  }
}
