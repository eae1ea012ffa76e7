// Write and read path throughput (not a test): `npx tsx test/unit/repo/measure-write-path.ts`
// Backs up one big generated file into an in-memory store, then streams it back (authenticated).
import { createCipheriv, randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import {
  createSnapshotWriter,
  initRepository,
  openSnapshotReader,
  openWorkspace,
} from '../../../src/main/core/repo'
import { aeadKey, counterNonce, sealBox } from '../../../src/main/core/repo/crypto/aead'
import { computeBlobId } from '../../../src/main/core/repo/crypto/blob-id'
import { MemoryStore } from '../../support/memory-store'

function sourceText(limit: number): Buffer {
  const parts: Buffer[] = []
  let total = 0
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (total >= limit) return
      const path = join(dir, name)
      const stat = statSync(path)
      if (stat.isDirectory()) walk(path)
      else if (/\.(js|ts|json|md|css|map)$/.test(name) && stat.size < 2e6) {
        const bytes = readFileSync(path)
        parts.push(bytes)
        total += bytes.length
      }
    }
  }
  walk('node_modules')
  return Buffer.concat(parts).subarray(0, limit)
}

const MiB = 1048576
const rate = (bytes: number, ms: number) => `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`

async function main() {
  const size = 256 * MiB
  const inputs = {
    incompressible: createCipheriv('chacha20', randomBytes(32), Buffer.alloc(16)).update(
      Buffer.alloc(size),
    ),
    'source text': sourceText(size),
  }
  const key = randomBytes(32)
  const aead = aeadKey(key)
  for (const [name, data] of Object.entries(inputs)) {
    console.log(`-- ${name}, ${(data.length / MiB).toFixed(0)} MiB`)
    let t = performance.now()
    for (let o = 0; o < data.length; o += 65536)
      computeBlobId(key, 'data', data.subarray(o, o + 65536))
    console.log(`  HMAC-SHA256 ids (64 KiB blobs): ${rate(data.length, performance.now() - t)}`)
    t = performance.now()
    for (let o = 0, n = 0; o < data.length; o += 65536, n++) {
      sealBox(aead, counterNonce(n), [data.subarray(o, o + 65536)], key)
    }
    console.log(`  ChaCha20-Poly1305 (64 KiB blobs): ${rate(data.length, performance.now() - t)}`)

    const store = new MemoryStore()
    const workspace = await openWorkspace(await initRepository(store, generateMasterKey()), 'm', {
      create: true,
    })
    const writer = await createSnapshotWriter(workspace)
    const slices: Buffer[] = []
    for (let o = 0; o < data.length; o += 64 * 1024) slices.push(data.subarray(o, o + 64 * 1024))
    t = performance.now()
    let cpu = process.cpuUsage()
    const file = await writer.addFileContent(slices)
    const tree = await writer.writeTree([])
    await writer.commit({ trigger: 'cli', paths: ['/'], hostname: 'm', tree })
    let ms = performance.now() - t
    cpu = process.cpuUsage(cpu)
    console.log(
      `  backup (chunk, id, compress, encrypt, pack): ${rate(data.length, ms)}, ${file.content.length} blobs, stored ${(store.requests.bytesUp / MiB).toFixed(1)} MiB in ${store.requests.put} PUTs, ${((cpu.user + cpu.system) / 1000 / ms).toFixed(2)} cores`,
    )
    const reader = await openSnapshotReader(workspace)
    const gets = store.requests.get
    t = performance.now()
    cpu = process.cpuUsage()
    let restored = 0
    for await (const part of reader.readFileContent(file.content)) restored += part.length
    ms = performance.now() - t
    cpu = process.cpuUsage(cpu)
    if (restored !== data.length) throw new Error('restore size mismatch')
    console.log(
      `  restore (ranged GET, authenticate, decompress, re-hash): ${rate(restored, ms)} in ${store.requests.get - gets} GETs, ${((cpu.user + cpu.system) / 1000 / ms).toFixed(2)} cores`,
    )
    console.log(
      `  rss ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB (input and in-memory store included)`,
    )
  }
}
await main()
