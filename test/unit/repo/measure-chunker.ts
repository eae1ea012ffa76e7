// Quick throughput check of the chunker (not a test): `npx tsx test/unit/repo/measure-chunker.ts`
import { randomBytes } from 'node:crypto'
import { FastCdc } from '../../../src/main/core/repo/chunker/fastcdc'
import { deriveGearTable } from '../../../src/main/core/repo/chunker/gear'
import { CHUNKER_PARAMS_V1 } from '../../../src/main/core/repo/chunker/params'

const gear = deriveGearTable(randomBytes(32))
const data = randomBytes(256 << 20)
for (let round = 0; round < 3; round++) {
  const chunker = new FastCdc(CHUNKER_PARAMS_V1, gear)
  const sizes: number[] = []
  const start = performance.now()
  for (let o = 0; o < data.length; o += 64 << 10) {
    for (const c of chunker.push(data.subarray(o, o + (64 << 10)))) sizes.push(c.length)
  }
  const last = chunker.finish()
  if (last) sizes.push(last.length)
  const seconds = (performance.now() - start) / 1000
  const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length
  console.log(
    `chunker: ${(data.length / 1048576 / seconds).toFixed(0)} MiB/s, ${sizes.length} chunks, mean ${(mean / 1024).toFixed(0)} KiB, min ${Math.min(...sizes) >> 10} KiB, max ${Math.max(...sizes) >> 10} KiB, at max ${sizes.filter((s) => s === CHUNKER_PARAMS_V1.maxSize).length}`,
  )
}
