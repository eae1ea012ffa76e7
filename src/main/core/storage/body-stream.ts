import { Readable } from 'node:stream'

/** Bodies at least this big are streamed in slices (see bodyStream). */
export const STREAM_BODY_FROM = 1024 * 1024
const SLICE = 256 * 1024

/**
 * A request body as a stream of views into `body` (no copy), for uploads of packs (~16 MiB).
 * Handed a whole buffer, the HTTP client writes it in one call and TLS encrypts all of it at
 * once: the ciphertext (as big as the body) then waits in native memory until the socket has
 * sent it, one such copy per upload in flight, outside the JS heap and in malloc's arenas (a
 * full backup's peak RSS was ~60 MiB higher against S3 than against a folder). Piped in slices,
 * the socket's backpressure keeps that to a slice or two. A fresh stream is needed per attempt.
 */
export function bodyStream(body: Uint8Array): Readable {
  let at = 0
  return new Readable({
    highWaterMark: SLICE,
    read() {
      if (at >= body.byteLength) {
        this.push(null)
        return
      }
      const end = Math.min(body.byteLength, at + SLICE)
      const slice = Buffer.from(body.buffer, body.byteOffset + at, end - at)
      at = end
      this.push(slice)
    },
  })
}

/** The body to hand the S3 client for one attempt: small bodies as they are. */
export function requestBody(body: Uint8Array): Uint8Array | Readable {
  return body.byteLength >= STREAM_BODY_FROM ? bodyStream(body) : body
}
