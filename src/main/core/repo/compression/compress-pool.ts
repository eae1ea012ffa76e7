import { availableParallelism } from 'node:os'
import type { BlobType } from '../crypto/blob-id'
import { BatchWorkerPool } from '../util/batch-worker-pool'
import { CODEC_BROTLI, CODEC_NONE, MIN_COMPRESS, type Encoded } from './codec'

/**
 * Blob ids and compression in worker threads. Brotli was about a quarter of a full backup's CPU time, and even
 * `brotliCompress` (libuv pool) kept ~130 of 160 us of main-thread time per 64 KiB chunk in setup
 * and copies, so the main thread (reading, chunking, hashing, encryption, packing, uploads) and
 * compression could not use two cores. Workers get batches of blobs (one message per batch, the
 * bytes copied once into one transferred buffer) and answer with the ids and compressed bodies in
 * one buffer transferred back; blobs that do not shrink come back as "stored raw" without bytes.
 *
 * The worker also computes blob ids (HMAC-SHA256 under the blob ID key, `computeBlobId`) when a
 * job carries the key: with both off the main thread, a full backup's main thread only reads,
 * chunks, deduplicates, encrypts and packs.
 *
 * The worker is built from source text so it runs the same from TypeScript (vitest, tsx) and from
 * the bundled build, with nothing but node: modules. Its decisions must stay equal to
 * `encodePlaintext` in codec.ts (a unit test compares them).
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { brotliCompressSync, constants } = require('node:zlib')
const { createHmac } = require('node:crypto')
const SAMPLE_FROM = ${16 * 1024}
const SAMPLE_LENGTH = ${4 * 1024}
// Output buffer: a compressible chunk fits (the result is copied out anyway); a small one keeps
// the garbage waiting for the worker's GC small.
const CHUNK_SIZE = ${32 * 1024}
const DATA = Uint8Array.of(0)
const TREE = Uint8Array.of(1)
function options(length) {
  const window = Math.min(22, Math.max(16, Math.ceil(Math.log2(length + 1))))
  return {
    chunkSize: CHUNK_SIZE,
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 1,
      [constants.BROTLI_PARAM_LGWIN]: window,
      [constants.BROTLI_PARAM_SIZE_HINT]: length,
    },
  }
}
function encode(raw) {
  if (raw.length >= SAMPLE_FROM) {
    const start = Math.floor((raw.length - SAMPLE_LENGTH) / 2)
    const sample = raw.subarray(start, start + SAMPLE_LENGTH)
    if (brotliCompressSync(sample, options(SAMPLE_LENGTH)).length >= SAMPLE_LENGTH * 0.95) return null
  }
  const body = brotliCompressSync(raw, options(raw.length))
  if (body.length > raw.length - raw.length / 32) return null
  return body
}
parentPort.on('message', (batch) => {
  const n = batch.lengths.length
  const bodies = []
  const bodyLengths = []
  let total = 32 * n
  let at = 0
  for (let i = 0; i < n; i++) {
    const raw = new Uint8Array(batch.buffer, at, batch.lengths[i])
    at += batch.lengths[i]
    const job = batch.jobs[i]
    let body = null
    if (job.compress) {
      try {
        body = encode(raw)
      } catch {
        body = null
      }
    }
    bodies.push(body)
    bodyLengths.push(body === null ? -1 : body.length)
    if (body !== null) total += body.length
  }
  // One buffer back: the ids (32 bytes per job, zeros where none was asked for), then the bodies.
  const out = new Uint8Array(total)
  at = 0
  for (let i = 0; i < n; i++) {
    const job = batch.jobs[i]
    if (job.key >= 0) {
      const hmac = createHmac('sha256', batch.keys[job.key])
      hmac.update(job.type === 1 ? TREE : DATA)
      hmac.update(new Uint8Array(batch.buffer, at, batch.lengths[i]))
      out.set(hmac.digest(), 32 * i)
    }
    at += batch.lengths[i]
  }
  let put = 32 * n
  for (const body of bodies) {
    if (body === null) continue
    out.set(body, put)
    put += body.length
  }
  parentPort.postMessage({ id: batch.id, out: out.buffer, bodyLengths }, [out.buffer])
})
`

/** A batch is sent once it holds this many bytes, or at the end of the current turn. */
const BATCH_BYTES = 256 * 1024

/** What the pool returns for a blob: its id (when asked for) and its encoding. */
export interface Processed {
  /** HMAC-SHA256 blob id; null when no id key was given. */
  id: Buffer | null
  encoded: Encoded
}

export interface ProcessOptions {
  /** Blob ID key: the worker computes the blob id (same as computeBlobId). */
  idKey?: Uint8Array
  type?: BlobType
  /** Compress where it pays (default true); else the blob comes back as stored raw. */
  compress?: boolean
}

interface Job {
  raw: Uint8Array
  idKey: Uint8Array | null
  type: BlobType
  compress: boolean
}

export class CompressPool {
  private readonly pool: BatchWorkerPool<Job, Processed>

  constructor(readonly size: number) {
    this.pool = new BatchWorkerPool<Job, Processed>(
      // No job-count bound: many tiny blobs (source files) share a batch until it holds 256 KiB.
      { size, source: WORKER_SOURCE, batchBytes: BATCH_BYTES, batchJobs: Infinity },
      {
        weight: (job) => job.raw.length,
        encode(jobs) {
          const keyRefs: Uint8Array[] = []
          // Own 32-byte copies: a key may be a view into a bigger buffer, which a message would
          // clone whole.
          const keys: Uint8Array[] = []
          const meta: { key: number; type: number; compress: boolean }[] = []
          const lengths: number[] = []
          let bytes = 0
          for (const job of jobs) {
            let key = -1
            if (job.idKey) {
              key = keyRefs.indexOf(job.idKey)
              if (key < 0) {
                keyRefs.push(job.idKey)
                key = keys.push(Uint8Array.from(job.idKey)) - 1
              }
            }
            meta.push({ key, type: job.type === 'tree' ? 1 : 0, compress: job.compress })
            lengths.push(job.raw.length)
            bytes += job.raw.length
          }
          // The blobs copied once, back to back, into one transferred buffer: the caller's bytes
          // may be views into bigger read buffers still in use.
          const buffer = new Uint8Array(bytes)
          let at = 0
          for (const job of jobs) {
            buffer.set(job.raw, at)
            at += job.raw.length
          }
          return {
            message: { buffer: buffer.buffer, lengths, keys, jobs: meta },
            transfer: [buffer.buffer],
          }
        },
        decode(answer, jobs) {
          const out = Buffer.from(answer.out as ArrayBuffer)
          const bodyLengths = answer.bodyLengths as number[]
          let at = 32 * jobs.length
          return jobs.map((job, i) => {
            const length = bodyLengths[i]!
            let encoded: Encoded
            if (length < 0) encoded = { codec: CODEC_NONE, body: job.raw }
            else {
              encoded = { codec: CODEC_BROTLI, body: out.subarray(at, at + length) }
              at += length
            }
            return { ok: { id: job.idKey ? out.subarray(32 * i, 32 * i + 32) : null, encoded } }
          })
        },
      },
    )
  }

  /** Compresses `raw` (which the pool copies) if that pays; same decisions as encodePlaintext. */
  async encode(raw: Uint8Array): Promise<Encoded> {
    return (await this.process(raw)).encoded
  }

  /**
   * Computes the blob id (with `idKey`) and compresses (unless `compress` is false) in a worker.
   * Same results as computeBlobId and encodePlaintext on this thread.
   */
  process(raw: Uint8Array, options: ProcessOptions = {}): Promise<Processed> {
    return this.pool.run({
      raw,
      idKey: options.idKey ?? null,
      type: options.type ?? 'data',
      compress: (options.compress ?? true) && raw.length >= MIN_COMPRESS,
    })
  }

  /** Stops the workers; jobs not answered yet are rejected. */
  close(): Promise<void> {
    return this.pool.close()
  }
}

let shared: CompressPool | null = null

/** The process-wide pool: one worker per core beyond the main thread's, at least one. */
export function sharedCompressPool(): CompressPool {
  shared ??= new CompressPool(Math.max(1, availableParallelism() - 1))
  return shared
}
