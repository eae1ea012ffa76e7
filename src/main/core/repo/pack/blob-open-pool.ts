import { availableParallelism } from 'node:os'
import type { AeadKey } from '../crypto/aead'
import { damagedBlob } from '../errors'
import { BatchWorkerPool } from '../util/batch-worker-pool'
import type { KeyRing } from '../workspace/key-ring'
import { blobAad } from './pack-format'
import type { BlobRef } from './pack-reader'

/**
 * Opens data blobs (authenticate and decrypt, decompress, recompute the id) in worker threads.
 * In a restore or verify these were most of the main thread's own work (brotli decoding alone
 * ~1.9 s of ~10.7 s busy at 1 GiB, the id HMAC 0.6 s, ChaCha20 0.5 s), and the main thread also
 * fetches, plans and writes. The steps and their checks are exactly `openBlob`'s
 * (pack/pack-reader.ts) with `decodePlaintext`'s codec rules (compression/codec.ts), and a failure
 * becomes the same `damagedBlob` error; a unit test opens the same good and damaged blobs both
 * ways and compares.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createDecipheriv, createHmac, createSecretKey } = require('node:crypto')
const { brotliDecompressSync } = require('node:zlib')
const keyObjects = new Map()
function keyObject(raw) {
  const name = Buffer.from(raw).toString('hex')
  let key = keyObjects.get(name)
  if (!key) {
    if (keyObjects.size >= 256) keyObjects.delete(keyObjects.keys().next().value)
    key = createSecretKey(raw)
    keyObjects.set(name, key)
  }
  return key
}
function open(job, box, keys, aad) {
  if (box.length < 28) return { fail: 'auth' }
  const decipher = createDecipheriv('chacha20-poly1305', keyObject(keys[job.key]), box.subarray(0, 12), { authTagLength: 16 })
  const ciphertext = box.subarray(12, box.length - 16)
  decipher.setAAD(aad, { plaintextLength: ciphertext.length })
  decipher.setAuthTag(box.subarray(box.length - 16))
  let plain = decipher.update(ciphertext)
  try {
    const rest = decipher.final()
    if (rest.length > 0) plain = Buffer.concat([plain, rest])
  } catch {
    return { fail: 'auth' }
  }
  if (plain.length === 0) return { fail: 'auth' }
  const codec = plain[0]
  const body = plain.subarray(1)
  let raw
  if (codec === 0) raw = body
  else if (codec === 1) {
    try {
      raw = brotliDecompressSync(body, {
        maxOutputLength: Math.max(job.rawLength, 1),
        chunkSize: Math.max(16 * 1024, job.rawLength),
      })
    } catch {
      return { fail: 'decode', why: 'compressed data is corrupt' }
    }
  } else return { fail: 'decode', why: 'unknown codec ' + codec }
  if (raw.length !== job.rawLength)
    return { fail: 'decode', why: 'decoded ' + raw.length + ' bytes, expected ' + job.rawLength }
  if (job.idKey >= 0) {
    const hmac = createHmac('sha256', keys[job.idKey])
    hmac.update(aad.subarray(0, 1))
    hmac.update(raw)
    if (!hmac.digest().equals(aad.subarray(1))) return { fail: 'id' }
  }
  return { raw }
}
parentPort.on('message', (batch) => {
  const all = new Uint8Array(batch.buffer)
  const outcomes = []
  let at = 0
  let total = 0
  const aads = Buffer.from(batch.aads)
  for (let i = 0; i < batch.jobs.length; i++) {
    const job = batch.jobs[i]
    const outcome = open(job, all.subarray(at, at + job.length), batch.keys, aads.subarray(33 * i, 33 * i + 33))
    at += job.length
    outcomes.push(outcome)
    if (outcome.raw) total += outcome.raw.length
  }
  // One buffer back with every plaintext, back to back.
  const out = new Uint8Array(total)
  let put = 0
  const results = outcomes.map((outcome) => {
    if (!outcome.raw) return outcome
    out.set(outcome.raw, put)
    put += outcome.raw.length
    return { length: outcome.raw.length }
  })
  parentPort.postMessage({ id: batch.id, out: out.buffer, results }, [out.buffer])
})
`

interface Job {
  packKey: Uint8Array
  idKey: Uint8Array | null
  aad: Buffer
  box: Uint8Array
  rawLength: number
  blob: BlobRef
}

type Outcome = { length: number } | { fail: 'auth' | 'id' } | { fail: 'decode'; why: string }

/** The raw bytes of an AEAD key (KeyObjects are cached per pack; their export is cached here). */
const rawKeys = new WeakMap<AeadKey, Uint8Array>()
function rawKey(key: AeadKey): Uint8Array {
  let raw = rawKeys.get(key)
  if (!raw) {
    raw = key.export()
    rawKeys.set(key, raw)
  }
  return raw
}

function failure(blob: BlobRef, outcome: Exclude<Outcome, { length: number }>): Error {
  if (outcome.fail === 'decode')
    return damagedBlob(blob.id, blob.pack.id, `could not be decoded (${outcome.why})`)
  if (outcome.fail === 'auth') return damagedBlob(blob.id, blob.pack.id, 'failed authentication')
  return damagedBlob(blob.id, blob.pack.id, 'does not match its id')
}

export class BlobOpenPool {
  private readonly pool: BatchWorkerPool<Job, Buffer>

  constructor(size: number) {
    this.pool = new BatchWorkerPool<Job, Buffer>(
      { size, source: WORKER_SOURCE, batchBytes: 1024 * 1024, batchJobs: 64 },
      {
        weight: (job) => job.box.length,
        encode(jobs) {
          const buffer = new Uint8Array(jobs.reduce((sum, job) => sum + job.box.length, 0))
          const keyRefs: Uint8Array[] = []
          // Own 32-byte copies: a key may be a view into a bigger buffer, which a message would
          // clone whole.
          const keys: Uint8Array[] = []
          const indexOf = (key: Uint8Array) => {
            let i = keyRefs.indexOf(key)
            if (i < 0) {
              keyRefs.push(key)
              i = keys.push(Uint8Array.from(key)) - 1
            }
            return i
          }
          // Each blob's AAD (type byte and id: 33 bytes), back to back in one buffer.
          const aads = new Uint8Array(33 * jobs.length)
          let at = 0
          const meta = jobs.map((job, i) => {
            buffer.set(job.box, at)
            at += job.box.length
            aads.set(job.aad, 33 * i)
            return {
              key: indexOf(job.packKey),
              idKey: job.idKey ? indexOf(job.idKey) : -1,
              rawLength: job.rawLength,
              length: job.box.length,
            }
          })
          return {
            message: { buffer: buffer.buffer, aads: aads.buffer, keys, jobs: meta },
            transfer: [buffer.buffer, aads.buffer],
          }
        },
        decode(answer, jobs) {
          const out = Buffer.from(answer.out as ArrayBuffer)
          let at = 0
          return (answer.results as Outcome[]).map((outcome, i) => {
            if (!('length' in outcome)) return { error: failure(jobs[i]!.blob, outcome) }
            const raw = out.subarray(at, at + outcome.length)
            at += outcome.length
            return { ok: raw }
          })
        },
      },
    )
  }

  /** Stops the workers (tests; the shared pool's idle workers never keep the process alive). */
  close(): Promise<void> {
    return this.pool.close()
  }

  /** `openBlob` in a worker: the plaintext, authenticated (and its id checked with `verifyId`). */
  open(keys: KeyRing, blob: BlobRef, stored: Uint8Array, verifyId: boolean): Promise<Buffer> {
    const key = keys.get(blob.pack.keyVersion)
    if (!key) {
      return Promise.reject(
        damagedBlob(
          blob.id,
          blob.pack.id,
          `needs key version ${blob.pack.keyVersion}, which this workspace does not have`,
        ),
      )
    }
    return this.pool.run({
      packKey: rawKey(key.packKey(blob.pack.salt)),
      idKey: verifyId ? key.idKey : null,
      aad: blobAad(blob.type, blob.id),
      box: stored,
      rawLength: blob.rawLength,
      blob,
    })
  }
}

let shared: BlobOpenPool | null = null

/** The process-wide pool: one worker per core beyond the main thread's, at least one. */
export function sharedBlobOpenPool(): BlobOpenPool {
  shared ??= new BlobOpenPool(Math.max(1, availableParallelism() - 1))
  return shared
}
