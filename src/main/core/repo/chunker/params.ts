/**
 * Chunk sizes of format version 1: at least 64 KiB, normally cut after 256 KiB, at most 1 MiB
 * (mean measured at ~290 KiB on random data). Smaller than restic's 512 KiB / 1 MiB / 8 MiB on
 * purpose: an edit re-uploads roughly the chunk it falls into (plus sometimes its neighbour), and
 * the budget is "a ~1% change uploads at most 2x the changed bytes", so the chunk that carries an
 * edit must be small next to typical edits. Packs (~16 MiB) keep the object and request count
 * independent of chunk size, so small chunks cost only index entries (45 bytes per ~290 KiB).
 * Files smaller than the minimum are one chunk.
 */
export interface ChunkerParams {
  minSize: number
  normalSize: number
  maxSize: number
}

export const CHUNKER_PARAMS_V1: ChunkerParams = {
  minSize: 64 * 1024,
  normalSize: 256 * 1024,
  maxSize: 1024 * 1024,
}

/**
 * FastCDC "normalization level": the mask before the normal size has this many bits more than
 * log2(normal), the one after it that many fewer, which pulls chunk sizes towards the normal size.
 */
export const NORMALIZATION_LEVEL = 2

export function assertChunkerParams(params: ChunkerParams): void {
  const { minSize, normalSize, maxSize } = params
  const ok =
    Number.isInteger(minSize) &&
    Number.isInteger(normalSize) &&
    Number.isInteger(maxSize) &&
    minSize >= 64 &&
    minSize <= normalSize &&
    normalSize <= maxSize &&
    Number.isInteger(Math.log2(normalSize)) &&
    Math.log2(normalSize) + NORMALIZATION_LEVEL <= 31
  if (!ok) throw new RangeError('invalid chunker parameters')
}
