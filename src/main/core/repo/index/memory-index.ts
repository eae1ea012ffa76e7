import type { BlobType } from '../crypto/blob-id'
import { BLOB_TYPE_CODE, blobTypeFromCode } from '../crypto/blob-id'
import type { PackBlobEntry } from '../pack/pack-format'
import { bytesToId, isHexId } from '../util/hex'

/** A pack as the index knows it: enough to fetch and decrypt any of its blobs. */
export interface IndexPack {
  id: string
  type: BlobType
  keyVersion: number
  salt: Buffer
  length: number
  blobs: readonly PackBlobEntry[]
}

export interface PackInfo {
  id: string
  type: BlobType
  keyVersion: number
  salt: Buffer
  length: number
}

export interface BlobLocation {
  id: string
  type: BlobType
  pack: PackInfo
  offset: number
  length: number
  rawLength: number
}

const ID_LENGTH = 32

/**
 * Which blob lives where, kept compact for dedup over large workspaces: blob ids in one byte
 * array, locations in parallel typed arrays, and an open-addressing hash table (linear probing,
 * load <= 1/2) keyed by the id's first 4 bytes, which are uniformly random because ids are HMACs.
 * About 60 bytes per blob: 100k blobs take ~6 MB. A blob listed twice (e.g. after index files
 * overlapped) keeps its first location.
 */
export class MemoryIndex {
  private ids = new Uint8Array(ID_LENGTH * 1024)
  private packOf = new Uint32Array(1024)
  private offsets = new Uint32Array(1024)
  private lengths = new Uint32Array(1024)
  private rawLengths = new Uint32Array(1024)
  private types = new Uint8Array(1024)
  private count = 0
  private table = new Int32Array(2048)
  private readonly packList: PackInfo[] = []
  private readonly packIds = new Map<string, number>()
  private readonly scratch = Buffer.alloc(ID_LENGTH)

  get blobCount(): number {
    return this.count
  }

  get packCount(): number {
    return this.packList.length
  }

  hasPack(id: string): boolean {
    return this.packIds.has(id)
  }

  packs(): readonly PackInfo[] {
    return this.packList
  }

  pack(id: string): PackInfo | undefined {
    const index = this.packIds.get(id)
    return index === undefined ? undefined : this.packList[index]
  }

  /** Adds a pack and its blobs; a pack already known is ignored. */
  addPack(pack: IndexPack): void {
    if (this.packIds.has(pack.id)) return
    const packIndex = this.packList.length
    this.packList.push({
      id: pack.id,
      type: pack.type,
      keyVersion: pack.keyVersion,
      salt: pack.salt,
      length: pack.length,
    })
    this.packIds.set(pack.id, packIndex)
    for (const blob of pack.blobs) this.insert(this.idBytes(blob.id), packIndex, blob)
  }

  has(id: string): boolean {
    return this.find(this.idBytes(id)) >= 0
  }

  lookup(id: string): BlobLocation | undefined {
    const slot = this.find(this.idBytes(id))
    if (slot < 0) return undefined
    return {
      id,
      type: blobTypeFromCode(this.types[slot]!)!,
      pack: this.packList[this.packOf[slot]!]!,
      offset: this.offsets[slot]!,
      length: this.lengths[slot]!,
      rawLength: this.rawLengths[slot]!,
    }
  }

  /** Every blob location (for verify and index rewriting). */
  *blobs(): Generator<BlobLocation> {
    for (let slot = 0; slot < this.count; slot++) {
      yield {
        id: bytesToId(this.ids.subarray(slot * ID_LENGTH, (slot + 1) * ID_LENGTH)),
        type: blobTypeFromCode(this.types[slot]!)!,
        pack: this.packList[this.packOf[slot]!]!,
        offset: this.offsets[slot]!,
        length: this.lengths[slot]!,
        rawLength: this.rawLengths[slot]!,
      }
    }
  }

  /**
   * The id's bytes in a scratch buffer (valid until the next call): lookups run for every content
   * id of every file in a backup and every blob of a loaded index, and a Buffer per call was a
   * visible share of an unchanged backup's time.
   */
  private idBytes(id: string): Buffer {
    if (!isHexId(id)) throw new RangeError('not a 64-digit lowercase hex id')
    this.scratch.write(id, 0, ID_LENGTH, 'hex')
    return this.scratch
  }

  private hashOf(id: Uint8Array): number {
    return (id[0]! | (id[1]! << 8) | (id[2]! << 16) | (id[3]! << 24)) >>> 0
  }

  private find(id: Uint8Array): number {
    const mask = this.table.length - 1
    let position = this.hashOf(id) & mask
    for (;;) {
      const entry = this.table[position]!
      if (entry === 0) return -1
      const slot = entry - 1
      if (this.idEquals(slot, id)) return slot
      position = (position + 1) & mask
    }
  }

  private idEquals(slot: number, id: Uint8Array): boolean {
    const base = slot * ID_LENGTH
    for (let i = 0; i < ID_LENGTH; i++) if (this.ids[base + i] !== id[i]) return false
    return true
  }

  private insert(id: Uint8Array, packIndex: number, blob: PackBlobEntry): void {
    if (this.find(id) >= 0) return
    if (this.count === this.types.length) this.growStorage()
    if ((this.count + 1) * 2 > this.table.length) this.growTable()
    const slot = this.count++
    this.ids.set(id, slot * ID_LENGTH)
    this.packOf[slot] = packIndex
    this.offsets[slot] = blob.offset
    this.lengths[slot] = blob.length
    this.rawLengths[slot] = blob.rawLength
    this.types[slot] = BLOB_TYPE_CODE[blob.type]
    this.place(slot)
  }

  private place(slot: number): void {
    const mask = this.table.length - 1
    let position = this.hashOf(this.ids.subarray(slot * ID_LENGTH, slot * ID_LENGTH + 4)) & mask
    while (this.table[position] !== 0) position = (position + 1) & mask
    this.table[position] = slot + 1
  }

  private growStorage(): void {
    const capacity = this.types.length * 2
    const grow = <T extends Uint8Array | Uint32Array>(
      old: T,
      make: (n: number) => T,
      width = 1,
    ): T => {
      const next = make(capacity * width)
      next.set(old)
      return next
    }
    this.ids = grow(this.ids, (n) => new Uint8Array(n), ID_LENGTH)
    this.packOf = grow(this.packOf, (n) => new Uint32Array(n))
    this.offsets = grow(this.offsets, (n) => new Uint32Array(n))
    this.lengths = grow(this.lengths, (n) => new Uint32Array(n))
    this.rawLengths = grow(this.rawLengths, (n) => new Uint32Array(n))
    this.types = grow(this.types, (n) => new Uint8Array(n))
  }

  private growTable(): void {
    this.table = new Int32Array(this.table.length * 2)
    for (let slot = 0; slot < this.count; slot++) this.place(slot)
  }
}
