import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  MemoryIndex,
  openSnapshotReader,
  SnapshotWriter,
  type Workspace,
} from '../../../src/main/core/repo'
import { CompressPool } from '../../../src/main/core/repo/compression/compress-pool'
import { computeBlobId } from '../../../src/main/core/repo/crypto/blob-id'
import { MemoryStore } from '../../support/memory-store'
import {
  backupModel,
  dir,
  file,
  newWorkspace,
  normalize,
  restoreModel,
  seededBytes,
} from './support'

function contents(): Buffer[] {
  const text = Buffer.from(
    'export function f(x: number) { return x * 2 } // source\n'.repeat(20_000),
  )
  const random = seededBytes('r', 700_000)
  return [
    text,
    random,
    // The same content twice in one file, and again in another file: deduplicated.
    Buffer.concat([random.subarray(0, 300_000), random.subarray(0, 300_000)]),
    random.subarray(0, 300_000),
    Buffer.from('tiny'),
    Buffer.alloc(0),
    text.subarray(0, 5000),
    Buffer.concat([text.subarray(0, 200_000), random.subarray(0, 200_000), text]),
  ]
}

/** Every blob the writer stored, in pack order: id, where it sits in its pack, its sizes. */
async function write(workspace: Workspace, offMainThread: boolean) {
  const writer = new SnapshotWriter(workspace, new MemoryIndex(), {
    compressOffMainThread: offMainThread,
    packSize: 512 * 1024,
  })
  const results = []
  for (const content of contents()) results.push(await writer.addFileContent([content]))
  await writer.flush()
  const blobs = [...writer.index.blobs()].map((b) => ({
    id: b.id,
    offset: b.offset,
    length: b.length,
    rawLength: b.rawLength,
    packLength: b.pack.length,
  }))
  return { results, blobs }
}

describe('blob ids computed in worker threads', () => {
  it('match computeBlobId for data and tree blobs, with several keys in one batch', async () => {
    const pool = new CompressPool(1)
    try {
      const keyA = randomBytes(32)
      // A key that is a view into a bigger buffer.
      const keyB = Buffer.concat([randomBytes(10), randomBytes(32)]).subarray(10)
      const inputs = [Buffer.alloc(0), Buffer.from('a'), seededBytes('x', 100_000)]
      const jobs = inputs.flatMap((raw) =>
        (['data', 'tree'] as const).flatMap((type) =>
          [keyA, keyB].map((key) => ({ raw, type, key })),
        ),
      )
      const got = await Promise.all(
        jobs.map((j) => pool.process(j.raw, { idKey: j.key, type: j.type })),
      )
      jobs.forEach((j, i) => {
        expect(got[i]!.id!.equals(computeBlobId(j.key, j.type, j.raw))).toBe(true)
      })
      expect((await pool.process(inputs[2]!)).id).toBeNull()
    } finally {
      await pool.close()
    }
  })

  it('store the same blobs in the same pack positions with the same sizes as on the main thread', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const here = await write(workspace, false)
    const worker = await write(workspace, true)
    expect(worker.results).toEqual(here.results)
    expect(worker.blobs).toEqual(here.blobs)
    // The duplicate inside the third file and the fourth file are not stored twice.
    expect(worker.results[2]!.addedBlobs).toBeLessThan(worker.results[2]!.content.length)
    expect(worker.results[3]!.addedBlobs).toBe(0)
  })

  it('round-trips and authenticates what the worker path stored', async () => {
    const store = new MemoryStore()
    const { workspace } = await newWorkspace(store)
    const tree = dir(Object.fromEntries(contents().map((c, i) => [`f${i}`, file(c)])))
    const writer = new SnapshotWriter(workspace, new MemoryIndex(), { packSize: 256 * 1024 })
    const root = await backupModel(writer, tree)
    await writer.commit({ trigger: 'manual', paths: ['/'], hostname: 'h', tree: root })
    const reader = await openSnapshotReader(workspace)
    expect(normalize(await restoreModel(reader, root))).toEqual(normalize(tree))
  })
})
