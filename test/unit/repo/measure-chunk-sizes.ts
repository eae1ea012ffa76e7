// Bytes re-uploaded per byte edited, for candidate chunker settings (not a test):
// `npx tsx test/unit/repo/measure-chunk-sizes.ts`
// 48 MiB of random data, 6 keys x 12 edit positions per edit size: mean, 95th percentile, worst.
import { createHash, randomBytes } from 'node:crypto'
import { chunkBuffer } from '../../../src/main/core/repo/chunker/fastcdc'
import { deriveGearTable } from '../../../src/main/core/repo/chunker/gear'
import type { ChunkerParams } from '../../../src/main/core/repo/chunker/params'
import { seededBytes } from './support'

const K = 1024
const candidates: [string, ChunkerParams][] = [
  [
    '16/64/256 KiB, NC1 (v1)',
    { minSize: 16 * K, normalSize: 64 * K, maxSize: 256 * K, normalization: 1 },
  ],
  [
    '16/64/256 KiB, NC2',
    { minSize: 16 * K, normalSize: 64 * K, maxSize: 256 * K, normalization: 2 },
  ],
  [
    '64/256/1024 KiB, NC1',
    { minSize: 64 * K, normalSize: 256 * K, maxSize: 1024 * K, normalization: 1 },
  ],
  [
    '512K/1M/8M, NC1',
    { minSize: 512 * K, normalSize: 1024 * K, maxSize: 8192 * K, normalization: 1 },
  ],
]
const base = seededBytes('base', 48 << 20)
const hash = (c: Uint8Array) => createHash('sha1').update(c).digest('hex')
for (const [name, params] of candidates) {
  const row: string[] = []
  let mean = 0
  for (const editSize of [4 * K, 64 * K, 256 * K, 1024 * K]) {
    const ratios: number[] = []
    for (let key = 0; key < 6; key++) {
      const gear = deriveGearTable(randomBytes(32))
      const chunks = chunkBuffer(base, params, gear)
      mean = base.length / chunks.length
      const known = new Set(chunks.map(hash))
      for (let t = 0; t < 12; t++) {
        const at = Math.floor(((t + 0.5) / 12) * (base.length - editSize))
        const edited = Buffer.concat([
          base.subarray(0, at),
          seededBytes(`e${t}-${key}`, editSize),
          base.subarray(at + editSize),
        ])
        let uploaded = 0
        for (const chunk of chunkBuffer(edited, params, gear))
          if (!known.has(hash(chunk))) uploaded += chunk.length
        ratios.push(uploaded / editSize)
      }
    }
    ratios.sort((a, b) => a - b)
    const avg = ratios.reduce((a, b) => a + b, 0) / ratios.length
    const p95 = ratios[Math.floor(ratios.length * 0.95)]!
    row.push(
      `${editSize / K} KiB: ${avg.toFixed(1)}/${p95.toFixed(1)}/${ratios[ratios.length - 1]!.toFixed(1)}`,
    )
  }
  console.log(`${name.padEnd(24)} mean chunk ${(mean / K).toFixed(0)} KiB | ${row.join(' | ')}`)
}
