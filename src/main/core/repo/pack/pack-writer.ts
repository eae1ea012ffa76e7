import { createHash, randomBytes } from 'node:crypto'
import type { ObjectStore } from '../../storage/object-store'
import type { BlobType } from '../crypto/blob-id'
import { counterNonce, sealBoxParts } from '../crypto/aead'
import type { WorkspacePaths } from '../layout'
import type { KeyMaterial } from '../workspace/key-ring'
import {
  blobAad,
  encodePackHeader,
  encodeTrailer,
  HEADER_NONCE,
  PACK_TRAILER_LENGTH,
  type PackBlobEntry,
} from './pack-format'

/** A pack that is durably stored: what an index needs to describe it. */
export interface StoredPack {
  id: string
  type: BlobType
  keyVersion: number
  salt: Buffer
  length: number
  blobs: PackBlobEntry[]
}

export interface PackWriterOptions {
  /** Seal a pack once its blobs reach this many bytes (default 16 MiB). */
  targetSize: number
  /**
   * Packs being uploaded at once. The next pack fills meanwhile; the `add` that fills it waits
   * for a free slot. Memory: (this + 1) pack buffers.
   */
  maxInFlight: number
  signal?: AbortSignal
}

interface OpenPack {
  salt: Buffer
  /** The pack's bytes so far (blobs from offset 0), with room for the rest. */
  buffer: Buffer
  entries: PackBlobEntry[]
  size: number
}

/** Room beyond the target size: the last blob (at most 256 KiB + codec + box) and a header. */
const PACK_SLACK = 1024 * 1024
/** First buffer of a tree pack; it doubles as needed. */
const TREE_PACK_START = 1024 * 1024

/**
 * Packs blobs of one type into pack files and uploads them. Blobs are encrypted as they are added
 * (ChaCha20-Poly1305 under a key derived for this pack from a random salt), held in memory until
 * the pack reaches its target size, then the pack is sealed (header + trailer), named by its
 * SHA-256 and put. Memory is bounded: the `add` that fills a pack resolves only once fewer than
 * `maxInFlight` uploads are running and that pack's upload has started, so a producer faster than
 * the uplink waits instead of piling up packs.
 * After an upload fails, every later call rejects with that error.
 */
export class PackWriter {
  private open: OpenPack | null = null
  private inFlight = 0
  private readonly uploads = new Set<Promise<void>>()
  private waiters: (() => void)[] = []
  private failure: unknown = null
  /**
   * Buffers of stored packs, reused for the next packs. A pack buffer lives seconds, long enough
   * for its wrapper to reach V8's old generation, so a dropped one is freed only at the next full
   * collection, which external memory triggers only every ~64 MiB: without reuse, two to four
   * dead 17 MiB pack buffers sat in a full backup's peak RSS.
   */
  private readonly spare: Buffer[] = []

  constructor(
    private readonly store: ObjectStore,
    private readonly paths: WorkspacePaths,
    private readonly key: KeyMaterial,
    readonly type: BlobType,
    private readonly options: PackWriterOptions,
    private readonly onStored: (pack: StoredPack) => void,
  ) {}

  get failed(): unknown {
    return this.failure
  }

  /** Encrypts and appends one blob; resolves when there is room for more. */
  async add(id: string, rawLength: number, codec: number, body: Uint8Array): Promise<number> {
    if (this.failure) throw this.failure
    const pack = (this.open ??= {
      salt: randomBytes(32),
      // Data packs fill up: allocated whole (pages are only touched as blobs are written, so a
      // small last pack costs little). Tree packs mostly stay small (a few hundred KiB per
      // backup) and grow by doubling, so they do not hold a pack-sized buffer all backup long.
      buffer:
        this.spare.pop() ??
        Buffer.allocUnsafeSlow(
          this.type === 'tree'
            ? Math.min(TREE_PACK_START, this.options.targetSize + PACK_SLACK)
            : this.options.targetSize + PACK_SLACK,
        ),
      entries: [],
      size: 0,
    })
    const box = sealBoxParts(
      this.key.packKey(pack.salt),
      counterNonce(pack.entries.length),
      [CODEC_PREFIX[codec]!, body],
      blobAad(this.type, id),
    )
    pack.entries.push({ type: this.type, id, offset: pack.size, length: box.length, rawLength })
    // Copied into the pack at once (rather than kept as pieces and concatenated when sealing):
    // one copy either way, but the pieces become garbage now and no second pack-sized buffer
    // exists while sealing.
    append(pack, box.pieces, box.length)
    if (pack.size >= this.options.targetSize) {
      // The next pack fills while this one uploads; only a full pack with no upload slot for it
      // waits (and with it the producer). Waiting after every seal instead stopped the producer
      // for each pack's whole upload, while the doc promised the next pack filled meanwhile.
      while (this.inFlight >= this.options.maxInFlight && !this.failure) {
        await new Promise<void>((resolve) => this.waiters.push(resolve))
      }
      if (this.failure) throw this.failure
      // Sealed only now: blobs added while this one waited went into it (it stays open).
      if (this.open === pack) this.seal()
    }
    return box.length
  }

  /** Seals the open pack (if any) and waits until every upload has finished. */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure
    if (this.open) this.seal()
    while (this.uploads.size > 0) await Promise.allSettled([...this.uploads])
    if (this.failure) throw this.failure
  }

  /** Stops: drops the open pack and waits for running uploads to settle (their packs stay orphaned). */
  async abort(reason: unknown): Promise<void> {
    this.failure ??= reason
    this.open = null
    this.wake()
    while (this.uploads.size > 0) await Promise.allSettled([...this.uploads])
  }

  private seal(): void {
    const pack = this.open!
    this.open = null
    const header = encodePackHeader(pack.entries)
    const headerLength = header.length + 28
    const trailer = encodeTrailer({
      salt: pack.salt,
      keyVersion: this.key.version,
      headerLength,
      type: this.type,
    })
    const headerBox = sealBoxParts(this.key.packKey(pack.salt), HEADER_NONCE, [header], trailer)
    append(pack, [...headerBox.pieces, trailer], headerLength + PACK_TRAILER_LENGTH)
    const buffer = pack.buffer
    const bytes = buffer.subarray(0, pack.size)
    const id = createHash('sha256').update(bytes).digest('hex')
    const stored: StoredPack = {
      id,
      type: this.type,
      keyVersion: this.key.version,
      salt: pack.salt,
      length: bytes.length,
      blobs: pack.entries,
    }
    this.inFlight++
    const upload = this.store
      .put(this.paths.pack(id), bytes, { signal: this.options.signal })
      .then(
        // Reported even after a failure elsewhere: the pack is stored, and an aborting writer
        // indexes it so that the next backup reuses it.
        () => {
          // The store is done with the bytes once the put resolved (ObjectStore.put).
          if (this.spare.length < this.options.maxInFlight) this.spare.push(buffer)
          this.onStored(stored)
        },
        (error: unknown) => {
          this.failure ??= error
        },
      )
      .finally(() => {
        this.inFlight--
        this.uploads.delete(upload)
        this.wake()
      })
    this.uploads.add(upload)
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const resolve of waiters) resolve()
  }
}

const CODEC_PREFIX: Uint8Array[] = [Uint8Array.of(0), Uint8Array.of(1)]

/** Appends pieces to the open pack, growing its buffer if they do not fit (a huge header). */
function append(pack: OpenPack, pieces: readonly Uint8Array[], length: number): void {
  if (pack.size + length > pack.buffer.length) {
    const bigger = Buffer.allocUnsafeSlow(Math.max(pack.buffer.length * 2, pack.size + length))
    pack.buffer.copy(bigger, 0, 0, pack.size)
    pack.buffer = bigger
  }
  for (const piece of pieces) {
    pack.buffer.set(piece, pack.size)
    pack.size += piece.length
  }
}
