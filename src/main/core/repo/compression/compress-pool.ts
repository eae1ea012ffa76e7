import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { BlobType } from '../crypto/blob-id'
import { CODEC_BROTLI, CODEC_NONE, MIN_COMPRESS, type Encoded } from './codec'

/**
 * Blob ids and compression in worker threads. Brotli was about a quarter of a full backup's CPU time, and even
 * `brotliCompress` (libuv pool) kept ~130 of 160 us of main-thread time per 64 KiB chunk in setup
 * and copies, so the main thread (reading, chunking, hashing, encryption, packing, uploads) and
 * compression could not use two cores. Workers get batches of blobs (one message per batch, the
 * bytes copied once into transferred buffers) and answer with the compressed bodies transferred
 * back; blobs that do not shrink come back as "stored raw" without their bytes.
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
  const results = []
  const transfer = []
  // One id per job (32 bytes each; zeros where no id was asked for).
  const ids = new Uint8Array(32 * batch.buffers.length)
  batch.buffers.forEach((buffer, i) => {
    const raw = new Uint8Array(buffer)
    const job = batch.jobs[i]
    if (job.key >= 0) {
      const hmac = createHmac('sha256', batch.keys[job.key])
      hmac.update(job.type === 1 ? TREE : DATA)
      hmac.update(raw)
      ids.set(hmac.digest(), 32 * i)
    }
    let body = null
    if (job.compress) {
      try {
        body = encode(raw)
      } catch {
        body = null
      }
    }
    if (body === null) results.push(null)
    else {
      // Own the bytes in a buffer of exactly this size so it can be transferred.
      const copy = new Uint8Array(body.length)
      copy.set(body)
      results.push(copy.buffer)
      transfer.push(copy.buffer)
    }
  })
  transfer.push(ids.buffer)
  parentPort.postMessage({ id: batch.id, results, ids: ids.buffer }, transfer)
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
  resolve: (processed: Processed) => void
  reject: (error: unknown) => void
}

interface PoolWorker {
  worker: Worker
  /** Batches sent and not answered, by batch id. */
  waiting: Map<number, Job[]>
  /** Bytes sent and not answered: new work goes to the least loaded worker. */
  load: number
}

export class CompressPool {
  private readonly workers: PoolWorker[] = []
  private queue: Job[] = []
  private queuedBytes = 0
  private flushScheduled = false
  private nextBatchId = 0
  private outstanding = 0
  private closed = false

  constructor(readonly size: number) {}

  /** Compresses `raw` (which the pool copies) if that pays; same decisions as encodePlaintext. */
  async encode(raw: Uint8Array): Promise<Encoded> {
    return (await this.process(raw)).encoded
  }

  /**
   * Computes the blob id (with `idKey`) and compresses (unless `compress` is false) in a worker.
   * Same results as computeBlobId and encodePlaintext on this thread.
   */
  process(raw: Uint8Array, options: ProcessOptions = {}): Promise<Processed> {
    if (this.closed) return Promise.reject(new Error('the compression pool is closed'))
    return new Promise<Processed>((resolve, reject) => {
      this.queue.push({
        raw,
        idKey: options.idKey ?? null,
        type: options.type ?? 'data',
        compress: (options.compress ?? true) && raw.length >= MIN_COMPRESS,
        resolve,
        reject,
      })
      this.queuedBytes += raw.length
      if (this.queuedBytes >= BATCH_BYTES) this.flush()
      else if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(() => {
          this.flushScheduled = false
          this.flush()
        })
      }
    })
  }

  /** Stops the workers; jobs not answered yet are rejected. */
  async close(): Promise<void> {
    this.closed = true
    const workers = this.workers.splice(0)
    await Promise.all(workers.map((w) => w.worker.terminate()))
  }

  private flush(): void {
    if (this.queue.length === 0) return
    const jobs = this.queue
    this.queue = []
    this.queuedBytes = 0
    const target = this.pickWorker()
    const id = this.nextBatchId++
    const buffers: ArrayBuffer[] = []
    const keyRefs: Uint8Array[] = []
    // Own 32-byte copies: a key may be a view into a bigger buffer, which a message would clone whole.
    const keys: Uint8Array[] = []
    const meta: { key: number; type: number; compress: boolean }[] = []
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
      // A copy of exactly the blob: the caller's bytes may be a view into a bigger read buffer
      // that is still in use, so they cannot be transferred.
      const copy = new Uint8Array(job.raw.length)
      copy.set(job.raw)
      buffers.push(copy.buffer)
      bytes += job.raw.length
    }
    target.waiting.set(id, jobs)
    target.load += bytes
    if (this.outstanding++ === 0) for (const w of this.workers) w.worker.ref()
    target.worker.postMessage({ id, buffers, keys, jobs: meta }, buffers)
  }

  private pickWorker(): PoolWorker {
    if (this.workers.length < this.size) {
      const idle = this.workers.find((w) => w.load === 0)
      if (idle) return idle
      return this.spawn()
    }
    let best = this.workers[0]!
    for (const w of this.workers) if (w.load < best.load) best = w
    return best
  }

  private spawn(): PoolWorker {
    // The worker holds no JS data to speak of (bodies are Buffers outside the heap): a small heap
    // keeps its share of the backup's memory small.
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 },
    })
    const entry: PoolWorker = { worker, waiting: new Map(), load: 0 }
    worker.on(
      'message',
      (message: { id: number; results: (ArrayBuffer | null)[]; ids: ArrayBuffer }) => {
        const jobs = entry.waiting.get(message.id)
        if (!jobs) return
        entry.waiting.delete(message.id)
        const ids = Buffer.from(message.ids)
        jobs.forEach((job, i) => {
          entry.load -= job.raw.length
          const body = message.results[i]
          job.resolve({
            id: job.idKey ? ids.subarray(32 * i, 32 * i + 32) : null,
            encoded: body
              ? { codec: CODEC_BROTLI, body: Buffer.from(body) }
              : { codec: CODEC_NONE, body: job.raw },
          })
        })
        this.settled()
      },
    )
    const fail = (error: unknown) => {
      const index = this.workers.indexOf(entry)
      if (index >= 0) this.workers.splice(index, 1)
      for (const jobs of entry.waiting.values()) {
        for (const job of jobs) job.reject(error)
        this.settled()
      }
      entry.waiting.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => {
      if (entry.waiting.size > 0) fail(new Error(`a compression worker stopped (exit ${code})`))
    })
    this.workers.push(entry)
    return entry
  }

  /** Idle workers must not keep the process alive. */
  private settled(): void {
    if (--this.outstanding === 0) for (const w of this.workers) w.worker.unref()
  }
}

let shared: CompressPool | null = null

/** The process-wide pool: one worker per core beyond the main thread's, at least one. */
export function sharedCompressPool(): CompressPool {
  shared ??= new CompressPool(Math.max(1, availableParallelism() - 1))
  return shared
}
