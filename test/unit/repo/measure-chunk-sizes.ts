// Bytes re-uploaded per edit for candidate chunk sizes (not a test):
// `npx tsx test/unit/repo/measure-chunk-sizes.ts`
import { createHash, randomBytes } from 'node:crypto'
import { chunkBuffer } from '../../../src/main/core/repo/chunker/fastcdc'
import { deriveGearTable } from '../../../src/main/core/repo/chunker/gear'
import type { ChunkerParams } from '../../../src/main/core/repo/chunker/params'
import { seededBytes } from './support'

const gear = deriveGearTable(randomBytes(32))
const K = 1024
const candidates: [string, ChunkerParams][] = [
  ['16/64/256 KiB', { minSize: 16 * K, normalSize: 64 * K, maxSize: 256 * K }],
  ['32/128/512 KiB', { minSize: 32 * K, normalSize: 128 * K, maxSize: 512 * K }],
  ['64/256/1024 KiB', { minSize: 64 * K, normalSize: 256 * K, maxSize: 1024 * K }],
  ['512K/1M/8M (restic)', { minSize: 512 * K, normalSize: 1024 * K, maxSize: 8192 * K }],
]
const base = seededBytes('base', 64 << 20)
const hash = (c: Uint8Array) => createHash('sha1').update(c).digest('hex')
for (const [name, params] of candidates) {
  const known = new Set(chunkBuffer(base, params, gear).map(hash))
  const row: string[] = []
  for (const editSize of [4 * K, 64 * K, 256 * K, 1024 * K]) {
    let uploaded = 0
    const trials = 20
    for (let t = 0; t < trials; t++) {
      const at = Math.floor(((t + 0.5) / trials) * (base.length - editSize))
      const edited = Buffer.concat([
        base.subarray(0, at),
        seededBytes(`e${t}`, editSize),
        base.subarray(at + editSize),
      ])
      for (const chunk of chunkBuffer(edited, params, gear))
        if (!known.has(hash(chunk))) uploaded += chunk.length
    }
    row.push(`${editSize / K} KiB edit: ${(uploaded / trials / editSize).toFixed(2)}x`)
  }
  console.log(name.padEnd(22), row.join('   '))
}
