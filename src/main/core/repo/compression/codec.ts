import { promisify } from 'node:util'
import {
  brotliCompress,
  brotliCompressSync,
  brotliDecompress,
  brotliDecompressSync,
  constants,
} from 'node:zlib'

/**
 * How a blob's or sealed file's plaintext is stored: the first byte (inside the encryption) names
 * the codec. Node 20 has no zstd; measured on source code in 256 KiB pieces (see
 * docs/repository-format.md), brotli quality 1 compressed to 0.187 at ~370 MB/s, deflate level 1
 * to 0.209 at ~190 MB/s, and brotli gives up on incompressible input at >3 GB/s, so no sampling
 * step is needed: we compress, and store raw when it saved less than 1/32.
 */
export const CODEC_NONE = 0
export const CODEC_BROTLI = 1
export type Codec = typeof CODEC_NONE | typeof CODEC_BROTLI

/** Below this, compression is skipped (and for big inputs it runs on the libuv thread pool). */
export const MIN_COMPRESS = 128
const ASYNC_FROM = 32 * 1024
/** Decompression is cheap: a thread-pool round trip cost more than it saved (316 vs 235 MiB/s). */
const DECODE_ASYNC_FROM = 1024 * 1024
const SAMPLE_FROM = 16 * 1024
const SAMPLE_LENGTH = 4 * 1024

const brotliCompressAsync = promisify(brotliCompress)
const brotliDecompressAsync = promisify(brotliDecompress)

/**
 * Quality 1, and a window just big enough for the input: brotli allocates its window per call, and
 * the default 4 MiB window made compressing a 256 KiB chunk 3-5x slower than a 256 KiB window.
 */
function compressOptions(length: number) {
  const window = Math.min(22, Math.max(16, Math.ceil(Math.log2(length + 1))))
  return {
    // One output buffer big enough for the result: with the default 16 KiB, each 16 KiB of output
    // is another round trip to the thread pool and another copy.
    chunkSize: Math.max(16 * 1024, length + 1024),
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 1,
      [constants.BROTLI_PARAM_LGWIN]: window,
      [constants.BROTLI_PARAM_SIZE_HINT]: length,
    },
  }
}

export interface Encoded {
  codec: Codec
  body: Uint8Array
}

/**
 * `offload`: compress big inputs on the libuv thread pool (frees the main thread, which in a
 * backup also runs SSH and TLS, at the price of a round trip per call; in isolation on a busy
 * 2-core machine, compressing on the main thread measured faster: 174 vs 154 MiB/s).
 */
export async function encodePlaintext(
  raw: Uint8Array,
  compress = true,
  offload = true,
): Promise<Encoded> {
  if (!compress || raw.length < MIN_COMPRESS) return { codec: CODEC_NONE, body: raw }
  if (raw.length >= SAMPLE_FROM && !sampleCompresses(raw)) return { codec: CODEC_NONE, body: raw }
  const body =
    offload && raw.length >= ASYNC_FROM
      ? await brotliCompressAsync(raw, compressOptions(raw.length))
      : brotliCompressSync(raw, compressOptions(raw.length))
  if (body.length > raw.length - raw.length / 32) return { codec: CODEC_NONE, body: raw }
  return { codec: CODEC_BROTLI, body }
}

/**
 * Already-compressed data (archives, images, packed git objects) is common in workspaces, and
 * handing a chunk to the thread pool costs more than compressing 4 KiB on the spot, so chunks of
 * 16 KiB and more are tried on a 4 KiB sample from their middle first and stored raw when it does
 * not shrink below 95 %.
 */
function sampleCompresses(raw: Uint8Array): boolean {
  const start = Math.floor((raw.length - SAMPLE_LENGTH) / 2)
  const sample = raw.subarray(start, start + SAMPLE_LENGTH)
  return brotliCompressSync(sample, compressOptions(SAMPLE_LENGTH)).length < SAMPLE_LENGTH * 0.95
}

export class CodecError extends Error {}

/** Decodes a stored body; the result must be exactly `rawLength` bytes. */
export async function decodePlaintext(
  codec: number,
  body: Uint8Array,
  rawLength: number,
): Promise<Buffer> {
  let raw: Buffer
  if (codec === CODEC_NONE) raw = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  else if (codec === CODEC_BROTLI) {
    const options = {
      maxOutputLength: Math.max(rawLength, 1),
      chunkSize: Math.max(16 * 1024, rawLength),
    }
    try {
      raw =
        rawLength >= DECODE_ASYNC_FROM
          ? await brotliDecompressAsync(body, options)
          : brotliDecompressSync(body, options)
    } catch {
      throw new CodecError('compressed data is corrupt')
    }
  } else throw new CodecError(`unknown codec ${codec}`)
  if (raw.length !== rawLength)
    throw new CodecError(`decoded ${raw.length} bytes, expected ${rawLength}`)
  return raw
}
