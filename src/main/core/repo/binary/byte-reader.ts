/**
 * Reads the repository's binary formats. Every read is bounds-checked and throws FormatError,
 * so a malformed (or maliciously crafted but correctly authenticated) object cannot make the
 * reader run past its end or allocate absurd amounts of memory.
 */
export class FormatError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FormatError'
  }
}

export class ByteReader {
  private position = 0
  private readonly view: Buffer

  constructor(data: Uint8Array) {
    this.view = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  }

  get offset(): number {
    return this.position
  }

  get remaining(): number {
    return this.view.length - this.position
  }

  private need(count: number): void {
    if (count > this.view.length - this.position) {
      throw new FormatError(`truncated: needed ${count} bytes at offset ${this.position}`)
    }
  }

  u8(): number {
    this.need(1)
    return this.view[this.position++]!
  }

  u32(): number {
    this.need(4)
    const value = this.view.readUInt32LE(this.position)
    this.position += 4
    return value
  }

  uvarint(): number {
    let result = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      const byte = this.u8()
      result += (byte & 0x7f) * scale
      if (byte < 0x80) {
        if (!Number.isSafeInteger(result)) throw new FormatError('varint exceeds 2^53')
        if (i > 0 && byte === 0) throw new FormatError('non-minimal varint')
        return result
      }
      scale *= 0x80
    }
    throw new FormatError('varint longer than 8 bytes')
  }

  svarint(): number {
    const z = this.uvarint()
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2
  }

  /** A view into the underlying data (not a copy). */
  bytes(count: number): Buffer {
    this.need(count)
    const out = this.view.subarray(this.position, this.position + count)
    this.position += count
    return out
  }

  lengthPrefixed(maxLength: number): Buffer {
    const length = this.uvarint()
    if (length > maxLength) throw new FormatError(`field of ${length} bytes exceeds ${maxLength}`)
    return this.bytes(length)
  }

  expectEnd(): void {
    if (this.remaining !== 0) throw new FormatError(`${this.remaining} unexpected trailing bytes`)
  }
}
