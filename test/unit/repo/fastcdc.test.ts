import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { chunkBuffer, FastCdc, joinParts } from '../../../src/main/core/repo/chunker/fastcdc'
import { computeBlobId, computeBlobIdOfParts } from '../../../src/main/core/repo/crypto/blob-id'
import { deriveGearTable } from '../../../src/main/core/repo/chunker/gear'
import { CHUNKER_PARAMS_V1 } from '../../../src/main/core/repo/chunker/params'
import { pieces, seededBytes } from './support'

const gear = deriveGearTable(Buffer.alloc(32, 7))
const P = CHUNKER_PARAMS_V1
const hashes = (chunks: Uint8Array[]) =>
  chunks.map((c) => createHash('sha256').update(c).digest('hex'))

describe('FastCDC chunker', () => {
  const data = seededBytes('cdc', 24 * 1024 * 1024)
  const chunks = chunkBuffer(data, P, gear)

  it('cuts every chunk between the minimum and maximum size and loses no byte', () => {
    expect(Buffer.concat(chunks).equals(data)).toBe(true)
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.length).toBeGreaterThanOrEqual(P.minSize)
      expect(chunk.length).toBeLessThanOrEqual(P.maxSize)
    }
    const mean = data.length / chunks.length
    expect(mean).toBeGreaterThan(50 * 1024)
    expect(mean).toBeLessThan(100 * 1024)
  })

  it('finds the same boundaries however the input is split', () => {
    const chunker = new FastCdc(P, gear)
    const streamed: Uint8Array[] = []
    for (const piece of pieces(data, 3)) streamed.push(...chunker.push(piece))
    streamed.push(chunker.finish()!)
    expect(hashes(streamed)).toEqual(hashes(chunks))
    const byteByByte = new FastCdc(P, gear)
    const small = data.subarray(0, 3 * 1024 * 1024)
    const out: Uint8Array[] = []
    for (let i = 0; i < small.length; i += 997)
      out.push(...byteByByte.push(small.subarray(i, i + 997)))
    const last = byteByByte.finish()
    if (last) out.push(last)
    expect(hashes(out)).toEqual(hashes(chunkBuffer(small, P, gear)))
  })

  it('gives each chunk as the views it spans (pushParts), with the id of the whole', () => {
    const chunker = new FastCdc(P, gear)
    const parts: Uint8Array[][] = []
    const input = [...pieces(data.subarray(0, 4 * 1024 * 1024), 5)]
    for (const piece of input) parts.push(...chunker.pushParts(piece))
    parts.push(chunker.finishParts()!)
    expect(hashes(parts.map(joinParts))).toEqual(
      hashes(chunkBuffer(data.subarray(0, 4 * 1024 * 1024), P, gear)),
    )
    // Views, not copies: every part lies in one of the pieces pushed.
    const buffers = new Set(input.map((p) => p.buffer))
    expect(parts.flat().every((part) => buffers.has(part.buffer))).toBe(true)
    expect(parts.some((p) => p.length > 1)).toBe(true)
    const key = Buffer.alloc(32, 3)
    for (const p of parts.slice(0, 50))
      expect(computeBlobIdOfParts(key, 'data', p)).toEqual(computeBlobId(key, 'data', joinParts(p)))
  })

  it('keeps most chunks when bytes are inserted at the start or in the middle', () => {
    const before = new Set(hashes(chunks))
    for (const edited of [
      Buffer.concat([Buffer.from('inserted at the very start'), data]),
      Buffer.concat([
        data.subarray(0, 10_000_000),
        seededBytes('ins', 3000),
        data.subarray(10_000_000),
      ]),
    ]) {
      const after = hashes(chunkBuffer(edited, P, gear))
      const changed = after.filter((h) => !before.has(h)).length
      // Of ~320 chunks, only those around the edit change (4 at worst in measurements).
      expect(changed).toBeLessThanOrEqual(5)
    }
  })

  it('places boundaries by a secret: another key gives other chunks', () => {
    const other = chunkBuffer(data, P, deriveGearTable(Buffer.alloc(32, 8)))
    const mine = new Set(hashes(chunks))
    expect(hashes(other).filter((h) => mine.has(h)).length).toBeLessThan(2)
  })

  it('handles empty input, short input and runs of zeros', () => {
    expect(chunkBuffer(new Uint8Array(0), P, gear)).toEqual([])
    expect(chunkBuffer(Buffer.from('tiny'), P, gear).map((c) => c.length)).toEqual([4])
    const zeros = chunkBuffer(Buffer.alloc(5 * 1024 * 1024), P, gear)
    expect(Buffer.concat(zeros).length).toBe(5 * 1024 * 1024)
    // Zero runs cut identically every time, so they deduplicate.
    expect(new Set(hashes(zeros.slice(0, -1))).size).toBe(1)
  })
})
