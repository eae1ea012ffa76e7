/**
 * Pull-based reading from a stream of chunks: exact reads for headers, zero-copy partial reads for
 * contents. Nothing is read ahead of what the caller asks for, so backpressure reaches the producer.
 */
export class ByteSource {
  private current: Buffer = Buffer.alloc(0)
  private offset = 0
  private done = false
  private readonly iterator: AsyncIterator<Buffer>

  constructor(source: AsyncIterable<Buffer>) {
    this.iterator = source[Symbol.asyncIterator]()
  }

  /** Total bytes handed out so far (position in the stream). */
  position = 0

  private async fill(): Promise<boolean> {
    while (this.offset >= this.current.length) {
      if (this.done) return false
      const next = await this.iterator.next()
      if (next.done) {
        this.done = true
        return false
      }
      this.current = next.value
      this.offset = 0
    }
    return true
  }

  /** Up to `max` bytes (at least one), or null at the end of the stream. */
  async readSome(max: number): Promise<Buffer | null> {
    if (!(await this.fill())) return null
    const n = Math.min(max, this.current.length - this.offset)
    const out = this.current.subarray(this.offset, this.offset + n)
    this.offset += n
    this.position += n
    return out
  }

  /** Exactly `n` bytes (copied), or null when the stream ends before the first byte. */
  async readExact(n: number): Promise<Buffer | null> {
    const first = await this.readSome(n)
    if (first === null) return null
    if (first.length === n) return Buffer.from(first)
    const parts = [Buffer.from(first)]
    let got = first.length
    while (got < n) {
      const more = await this.readSome(n - got)
      if (more === null) throw new Error('The tar stream ended in the middle of a block')
      parts.push(Buffer.from(more))
      got += more.length
    }
    return Buffer.concat(parts, n)
  }

  async skip(n: number): Promise<void> {
    let left = n
    while (left > 0) {
      const chunk = await this.readSome(left)
      if (chunk === null) throw new Error('The tar stream ended in the middle of an entry')
      left -= chunk.length
    }
  }

  /** Reads and discards everything left (lets the producer finish). */
  async drain(): Promise<void> {
    while ((await this.readSome(Number.MAX_SAFE_INTEGER)) !== null) {
      /* discard */
    }
  }

  async return(): Promise<void> {
    await this.iterator.return?.()
  }
}
