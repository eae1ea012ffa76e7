import { assertChunkerParams, NORMALIZATION_LEVEL, type ChunkerParams } from './params'

/** A mask of the `bits` highest bits of a 32-bit word (high bits of a gear hash see more bytes). */
function highBitsMask(bits: number): number {
  return (0xffffffff << (32 - bits)) | 0
}

/**
 * FastCDC (Xia et al., USENIX ATC 2016) content-defined chunker over a 32-bit gear hash:
 * `h = (h << 1) + gear[byte]`, so bit k of h depends on the last k+1 bytes and the 12+ highest bits
 * tested here on the last 13-32 bytes. A chunk never cuts before `minSize` (those bytes are not even
 * hashed: the hash restarts at zero at each chunk's min offset), cuts where the hash's high bits
 * are zero under a strict mask until `normalSize` and a loose mask after it, and always cuts at
 * `maxSize`.
 *
 * Streaming: `push` buffers at most one chunk (<= maxSize) of input by reference (callers must not
 * modify a buffer after pushing it) and returns the chunks completed so far; `finish` returns the
 * last, possibly short, chunk. A chunk that lies in one input buffer is returned as a view of it;
 * chunks spanning buffers are copied once. Boundaries do not depend on how input is split.
 */
export class FastCdc {
  private readonly minSize: number
  private readonly normalSize: number
  private readonly maxSize: number
  private readonly maskStrict: number
  private readonly maskLoose: number
  private pieces: Uint8Array[] = []
  private length = 0
  private hash = 0

  constructor(
    params: ChunkerParams,
    private readonly gear: Int32Array,
  ) {
    assertChunkerParams(params)
    if (gear.length !== 256) throw new RangeError('gear table must have 256 entries')
    this.minSize = params.minSize
    this.normalSize = params.normalSize
    this.maxSize = params.maxSize
    const bits = Math.log2(params.normalSize)
    const level = params.normalization ?? NORMALIZATION_LEVEL
    this.maskStrict = highBitsMask(bits + level)
    this.maskLoose = highBitsMask(bits - level)
  }

  push(data: Uint8Array): Uint8Array[] {
    return this.pushParts(data).map(joinParts)
  }

  finish(): Uint8Array | null {
    const parts = this.finishParts()
    return parts && joinParts(parts)
  }

  /**
   * `push`, with each chunk as the views it spans, not copied into one buffer: a caller that only
   * needs the chunk's id (a chunk already stored) can hash the parts and never copy them.
   */
  pushParts(data: Uint8Array): Uint8Array[][] {
    const chunks: Uint8Array[][] = []
    let position = 0
    while (position < data.length) {
      const cut = this.findCut(data, position)
      if (cut < 0) {
        this.pieces.push(position === 0 ? data : data.subarray(position))
        this.length += data.length - position
        break
      }
      chunks.push(this.take(data.subarray(position, cut)))
      position = cut
    }
    return chunks
  }

  /** `finish`, as parts (see pushParts). */
  finishParts(): Uint8Array[] | null {
    if (this.length === 0) return null
    return this.take(new Uint8Array(0))
  }

  private take(last: Uint8Array): Uint8Array[] {
    const parts = this.pieces
    if (parts.length === 0 || last.length > 0) parts.push(last)
    this.pieces = []
    this.length = 0
    this.hash = 0
    return parts
  }

  /** Index in `data` just past the cut point, or -1 if the current chunk continues past `data`. */
  private findCut(data: Uint8Array, start: number): number {
    const gear = this.gear
    const end = data.length
    // The chunk's length once data[i] is included is base + i + 1.
    const base = this.length - start
    let h = this.hash
    let i = start
    const minEnd = Math.min(end, this.minSize - base)
    if (i < minEnd) i = minEnd
    const normalEnd = Math.min(end, this.normalSize - base)
    const strict = this.maskStrict
    for (; i < normalEnd; i++) {
      h = ((h << 1) + gear[data[i]!]!) | 0
      if ((h & strict) === 0) return i + 1
    }
    const maxEnd = Math.min(end, this.maxSize - base)
    const loose = this.maskLoose
    for (; i < maxEnd; i++) {
      h = ((h << 1) + gear[data[i]!]!) | 0
      if ((h & loose) === 0) return i + 1
    }
    if (base + i >= this.maxSize) return i
    this.hash = h
    return -1
  }
}

/** A chunk's parts as one buffer (a view when it lies in one piece, else one copy). */
export function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
}

/** All chunks of one buffer (tests and small inputs). */
export function chunkBuffer(
  data: Uint8Array,
  params: ChunkerParams,
  gear: Int32Array,
): Uint8Array[] {
  const chunker = new FastCdc(params, gear)
  const chunks = chunker.push(data)
  const last = chunker.finish()
  if (last) chunks.push(last)
  return chunks
}
