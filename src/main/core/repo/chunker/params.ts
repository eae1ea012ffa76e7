/**
 * Chunk sizes of format version 1: at least 16 KiB, normally cut after 64 KiB, at most 256 KiB
 * (mean ~73 KiB on random data). Much smaller than restic's 512 KiB / 1 MiB / 8 MiB on purpose:
 * an edit re-uploads roughly the chunk it falls into and sometimes its neighbour, and the budget
 * is "a ~1% change uploads at most 2x the changed bytes". Measured (test/unit/repo/
 * measure-chunk-sizes.ts, edits at 20 places in 64 MiB), bytes uploaded per byte edited:
 *
 *   edit size          4 KiB   64 KiB   256 KiB   1 MiB
 *   16/64/256 KiB       21x     3.0x     1.6x      1.15x   <- chosen
 *   64/256/1024 KiB     96x     7.0x     3.4x      1.7x
 *   512K/1M/8M          320x    21x      6.4x      3.3x
 *
 * Packs (~16 MiB) keep the object and request count independent of chunk size, so small chunks
 * cost only index entries (45 bytes each) and per-blob work, which measured cheaper per MiB for
 * 64 KiB blobs than for 256 KiB ones with thread-pool compression. Files under 16 KiB (most
 * source files) are one chunk.
 */
export interface ChunkerParams {
  minSize: number
  normalSize: number
  maxSize: number
}

export const CHUNKER_PARAMS_V1: ChunkerParams = {
  minSize: 16 * 1024,
  normalSize: 64 * 1024,
  maxSize: 256 * 1024,
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
