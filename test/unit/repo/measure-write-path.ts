// Write-path throughput (not a test): `npx tsx test/unit/repo/measure-write-path.ts`
// Backs up generated data into a store that keeps only counts, and prints MiB/s per stage.
import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import { createSnapshotWriter, initRepository, openWorkspace } from '../../../src/main/core/repo'
import { computeBlobId } from '../../../src/main/core/repo/crypto/blob-id'
import { aeadKey, counterNonce, sealBox } from '../../../src/main/core/repo/crypto/aead'
import { encodePlaintext } from '../../../src/main/core/repo/compression/codec'
import { MemoryStore } from '../../support/memory-store'

class CountingStore extends MemoryStore {
  override async put(
    key: string,
    body: Uint8Array,
    options: { createOnly?: boolean } = {},
  ): Promise<void> {
    // Keep metadata objects (small) but drop pack bodies so memory stays flat.
    await super.put(key, key.includes('/data/') ? new Uint8Array(0) : body, options)
    this.requests.bytesUp += body.byteLength
  }
}

function sourceText(limit: number): Buffer {
  const parts: Buffer[] = []
  let total = 0
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (total >= limit) return
      const p = join(d, name)
      const s = statSync(p)
      if (s.isDirectory()) walk(p)
      else if (/\.(js|ts|json|md|css|map)$/.test(name) && s.size < 2e6) {
        const b = readFileSync(p)
        parts.push(b)
        total += b.length
      }
    }
  }
  walk('node_modules')
  return Buffer.concat(parts).subarray(0, limit)
}

const mib = (n: number) => n / 1048576
const rate = (bytes: number, ms: number) => `${(mib(bytes) / (ms / 1000)).toFixed(0)} MiB/s`

async function main() {
  const size = 256 << 20
  const random = createCipheriv('chacha20', randomBytes(32), Buffer.alloc(16)).update(
    Buffer.alloc(size),
  )
  const text = sourceText(size)
  const key = randomBytes(32)
  for (const [name, data] of [
    ['incompressible', random],
    ['source text', text],
  ] as const) {
    console.log(`-- ${name}, ${mib(data.length).toFixed(0)} MiB`)
    for (const chunkSize of [64 << 10, 256 << 10]) {
      let t = performance.now()
      for (let o = 0; o < data.length; o += chunkSize)
        computeBlobId(key, 'data', data.subarray(o, o + chunkSize))
      console.log(
        `  HMAC-SHA256 ids, ${chunkSize >> 10} KiB blobs: ${rate(data.length, performance.now() - t)}`,
      )
      const aead = aeadKey(key)
      t = performance.now()
      for (let o = 0, n = 0; o < data.length; o += chunkSize, n++)
        sealBox(aead, counterNonce(n), [data.subarray(o, o + chunkSize)], key)
      console.log(
        `  ChaCha20-Poly1305 seal, ${chunkSize >> 10} KiB blobs: ${rate(data.length, performance.now() - t)}`,
      )
      t = performance.now()
      let stored = 0
      const jobs: Promise<void>[] = []
      for (let o = 0; o < data.length; o += chunkSize) {
        jobs.push(
          encodePlaintext(data.subarray(o, o + chunkSize)).then(
            (e) => void (stored += e.body.length),
          ),
        )
        if (jobs.length >= 4) await jobs.shift()
      }
      await Promise.all(jobs)
      console.log(
        `  brotli q1 (4 in the thread pool), ${chunkSize >> 10} KiB blobs: ${rate(data.length, performance.now() - t)}, ratio ${(stored / data.length).toFixed(3)}`,
      )
    }
    const store = new CountingStore()
    const repo = await initRepository(store, generateMasterKey())
    const workspace = await openWorkspace(repo, 'bench', { create: true })
    const writer = await createSnapshotWriter(workspace)
    const t = performance.now()
    const slices: Buffer[] = []
    for (let o = 0; o < data.length; o += 64 << 10) slices.push(data.subarray(o, o + (64 << 10)))
    const result = await writer.addFileContent(slices)
    const tree = await writer.writeTree([])
    await writer.commit({ trigger: 'cli', paths: ['/'], hostname: 'bench', tree })
    const ms = performance.now() - t
    console.log(
      `  whole write path (chunk, id, compress, encrypt, pack, SHA-256 pack name): ${rate(data.length, ms)}, ${result.content.length} blobs, uploaded ${mib(store.requests.bytesUp).toFixed(1)} MiB in ${store.requests.put} PUTs`,
    )
    void createHash
  }
}
await main()
