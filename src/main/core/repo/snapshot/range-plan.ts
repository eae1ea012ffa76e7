import type { BlobLocation } from '../index/memory-index'

/** One ranged GET of a pack, covering one or more blobs. */
export interface PackRange {
  packId: string
  offset: number
  length: number
  /** The blobs to take from the range, in request order (a blob may appear more than once). */
  blobs: BlobLocation[]
}

export interface RangePlanOptions {
  /** Read over a gap of up to this many bytes rather than making a second request (256 KiB). */
  maxGap?: number
  /** Never make a range longer than this (8 MiB). */
  maxSpan?: number
}

/**
 * Groups blobs, in the order given, into ranged GETs: consecutive blobs of the same pack that lie
 * close together (the common case: a file's chunks were packed in order) share one request.
 */
export function planRanges(
  blobs: readonly BlobLocation[],
  options: RangePlanOptions = {},
): PackRange[] {
  const maxGap = options.maxGap ?? 256 * 1024
  const maxSpan = options.maxSpan ?? 8 * 1024 * 1024
  const ranges: PackRange[] = []
  let current: PackRange | null = null
  for (const blob of blobs) {
    if (current && current.packId === blob.pack.id) {
      const end = current.offset + current.length
      const blobEnd = blob.offset + blob.length
      const inside = blob.offset >= current.offset && blobEnd <= end
      const gap = blob.offset - end
      if (inside || (gap >= 0 && gap <= maxGap && blobEnd - current.offset <= maxSpan)) {
        current.length = Math.max(end, blobEnd) - current.offset
        current.blobs.push(blob)
        continue
      }
    }
    current = { packId: blob.pack.id, offset: blob.offset, length: blob.length, blobs: [blob] }
    ranges.push(current)
  }
  return ranges
}
