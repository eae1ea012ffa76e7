import { describe, expect, it } from 'vitest'
import { MemoryIndex, SnapshotWriter, type Workspace } from '../../../src/main/core/repo'
import { counterNonce, sealBox } from '../../../src/main/core/repo/crypto/aead'
import type { BlobLocation } from '../../../src/main/core/repo/index/memory-index'
import { BlobOpenPool } from '../../../src/main/core/repo/pack/blob-open-pool'
import { blobAad } from '../../../src/main/core/repo/pack/pack-format'
import { openBlob } from '../../../src/main/core/repo/pack/pack-reader'
import { MemoryStore } from '../../support/memory-store'
import { newWorkspace, seededBytes } from './support'

/** Compressible, incompressible, tiny and empty content, stored; every data blob with its bytes. */
async function storedBlobs(workspace: Workspace) {
  const writer = new SnapshotWriter(workspace, new MemoryIndex(), { packSize: 256 * 1024 })
  const text = Buffer.from('export const x = () => 42 // source\n'.repeat(10_000))
  for (const content of [text, seededBytes('r', 400_000), Buffer.from('tiny'), Buffer.alloc(0)])
    await writer.addFileContent([content])
  await writer.flush()
  const blobs: { location: BlobLocation; stored: Uint8Array }[] = []
  for (const location of writer.index.blobs()) {
    if (location.type !== 'data') continue
    const stored = await workspace.store.get(workspace.paths.pack(location.pack.id), {
      range: { offset: location.offset, length: location.length },
    })
    blobs.push({ location, stored })
  }
  return blobs
}

/** What openBlob on this thread gives: the plaintext, or the error message. */
async function here(workspace: Workspace, location: BlobLocation, stored: Uint8Array) {
  return openBlob(workspace.keys, location, stored, true).then(
    (raw) => ({ raw: Buffer.from(raw).toString('hex') }),
    (error: Error) => ({ error: error.message }),
  )
}

async function pooled(
  pool: BlobOpenPool,
  workspace: Workspace,
  location: BlobLocation,
  stored: Uint8Array,
) {
  return pool.open(workspace.keys, location, stored, true).then(
    (raw) => ({ raw: Buffer.from(raw).toString('hex') }),
    (error: Error) => ({ error: error.message }),
  )
}

describe('opening data blobs in worker threads', () => {
  it('gives the same plaintext as on the main thread, many blobs in one batch', async () => {
    const { workspace } = await newWorkspace(new MemoryStore())
    const blobs = await storedBlobs(workspace)
    expect(blobs.length).toBeGreaterThan(5)
    const pool = new BlobOpenPool(1)
    try {
      const got = await Promise.all(blobs.map((b) => pooled(pool, workspace, b.location, b.stored)))
      const expected = await Promise.all(blobs.map((b) => here(workspace, b.location, b.stored)))
      expect(got).toEqual(expected)
      expect(got.every((g) => 'raw' in g)).toBe(true)
    } finally {
      await pool.close()
    }
  })

  it('refuses damaged blobs with the same errors as on the main thread', async () => {
    const { workspace } = await newWorkspace(new MemoryStore())
    const blobs = await storedBlobs(workspace)
    const pool = new BlobOpenPool(1)
    try {
      const cases: { location: BlobLocation; stored: Uint8Array }[] = []
      for (const { location, stored } of blobs.slice(0, 3)) {
        // A flipped byte in the nonce, the ciphertext and the tag.
        for (const at of [0, 20, stored.length - 1]) {
          const damaged = Uint8Array.from(stored)
          damaged[at]! ^= 0x40
          cases.push({ location, stored: damaged })
        }
        // Too short to be a box, and a decoded length that differs from the index's.
        cases.push({ location, stored: stored.subarray(0, 10) })
        cases.push({ location: { ...location, rawLength: location.rawLength + 1 }, stored })
      }
      // Authentic, but its plaintext is not what the id says (a key holder's forgery).
      const { location } = blobs[0]!
      const key = workspace.keys.get(location.pack.keyVersion)!
      const forged = sealBox(
        key.packKey(location.pack.salt),
        counterNonce(7),
        [Uint8Array.of(0), Buffer.from('other')],
        blobAad('data', location.id),
      )
      cases.push({ location: { ...location, rawLength: 5 }, stored: forged })
      // An unknown codec.
      const oddCodec = sealBox(
        key.packKey(location.pack.salt),
        counterNonce(8),
        [Uint8Array.of(9), Buffer.from('other')],
        blobAad('data', location.id),
      )
      cases.push({ location: { ...location, rawLength: 5 }, stored: oddCodec })

      const got = await Promise.all(cases.map((c) => pooled(pool, workspace, c.location, c.stored)))
      const expected = await Promise.all(cases.map((c) => here(workspace, c.location, c.stored)))
      expect(got).toEqual(expected)
      const messages = got.map((g) => ('error' in g ? g.error : 'opened'))
      expect(messages.filter((m) => m.includes('failed authentication')).length).toBe(12)
      expect(messages.filter((m) => m.includes('could not be decoded')).length).toBe(4)
      expect(messages.filter((m) => m.includes('does not match its id')).length).toBe(1)
      expect(messages).not.toContain('opened')
    } finally {
      await pool.close()
    }
  })

  it('refuses a blob of a key version the workspace does not have, without a worker', async () => {
    const { workspace } = await newWorkspace(new MemoryStore())
    const { location, stored } = (await storedBlobs(workspace))[0]!
    const pool = new BlobOpenPool(1)
    try {
      const odd = { ...location, pack: { ...location.pack, keyVersion: 99 } }
      await expect(pool.open(workspace.keys, odd, stored, true)).rejects.toThrow(
        /needs key version 99/,
      )
    } finally {
      await pool.close()
    }
  })
})
