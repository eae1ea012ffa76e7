/**
 * Chunk sizes of format version 1: at least 16 KiB, normally cut after 64 KiB, at most 256 KiB,
 * normalization level 1 (mean ~77 KiB on random data). Much smaller than restic's 512 KiB / 1 MiB
 * / 8 MiB on purpose: an edit re-uploads the chunks it touches until boundaries resynchronise,
 * and the budget is "a ~1% change uploads at most 2x the changed bytes". Measured by
 * test/unit/repo/measure-chunk-sizes.ts (48 MiB, 6 keys x 12 places), bytes uploaded per byte
 * edited, mean/95th percentile/worst:
 *
 *   edit size              4 KiB          64 KiB        256 KiB       1 MiB
 *   16/64/256 KiB, NC1     26/55/71       3.0/5.1/7.3   1.5/2.0/2.4   1.1/1.3/1.3   <- chosen
 *   16/64/256 KiB, NC2     25/56/140      3.0/6.1/7.7   1.6/3.2/3.7   1.1/1.3/1.6
 *   64/256/1024 KiB, NC1   86/182/217     8.2/16/22     2.8/5.0/5.6   1.5/1.9/2.2
 *   512K/1M/8M, NC1        389/772/900    27/51/73      8.4/16/17     3.2/5.6/6.9
 *
 * Level 2 normalization resynchronises later after an edit (a cut found under the loose mask is
 * not a cut where the new chunk is still under the strict one), hence level 1. Packs (~16 MiB)
 * keep the object and request count independent of chunk size, so small chunks cost only index
 * entries (45 bytes each) and per-blob work. Files under 16 KiB (most source files) are one chunk.
 */
export interface ChunkerParams {
  minSize: number
  normalSize: number
  maxSize: number
  /** FastCDC normalization level (see NORMALIZATION_LEVEL); only for experiments. */
  normalization?: number
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
export const NORMALIZATION_LEVEL = 1

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
