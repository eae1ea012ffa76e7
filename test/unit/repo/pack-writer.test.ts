import { describe, expect, it } from 'vitest'
import { PackWriter, type StoredPack } from '../../../src/main/core/repo/pack/pack-writer'
import { MemoryStore } from '../../support/memory-store'
import { newWorkspace, seededBytes } from './support'

/** A store whose pack uploads wait until the test lets them finish. */
class GatedStore extends MemoryStore {
  readonly gates: (() => void)[] = []
  gated = false
  override async put(key: string, body: Uint8Array, options = {}): Promise<void> {
    if (this.gated) await new Promise<void>((resolve) => this.gates.push(resolve))
    return super.put(key, body, options)
  }
}

const BLOB = 16 * 1024
const TARGET = 64 * 1024

async function packWriter(maxInFlight: number) {
  const store = new GatedStore()
  const { workspace } = await newWorkspace(store)
  store.gated = true
  const stored: StoredPack[] = []
  const writer = new PackWriter(
    store,
    workspace.paths,
    workspace.keys.current,
    'data',
    { targetSize: TARGET, maxInFlight },
    (pack) => stored.push(pack),
  )
  let n = 0
  /** Adds one blob; says whether its `add` resolved within a few turns of the event loop. */
  const add = async () => {
    const id = (n++).toString(16).padStart(64, '0')
    const done = writer.add(id, BLOB, 0, seededBytes(id, BLOB))
    const settled = await Promise.race([
      done.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 20)),
    ])
    return { settled, done }
  }
  return { store, writer, stored, add }
}

describe('PackWriter', () => {
  it('fills the next pack while one uploads, and waits only when that one is full too', async () => {
    const { store, writer, stored, add } = await packWriter(1)
    // Four blobs fill the first pack; the fourth seals it and its upload starts (and hangs).
    for (let i = 0; i < 4; i++) expect((await add()).settled).toBe(true)
    expect(store.gates).toHaveLength(1)
    // The next pack fills meanwhile: its first three blobs are taken at once.
    for (let i = 0; i < 3; i++) expect((await add()).settled).toBe(true)
    // The blob that fills it waits for the upload slot (memory stays at two packs)...
    const filling = await add()
    expect(filling.settled).toBe(false)
    expect(store.gates).toHaveLength(1)
    // ...and once the first upload is done, the second pack's upload starts and the add returns.
    store.gates.shift()!()
    await filling.done
    expect(stored).toHaveLength(1)
    expect(store.gates).toHaveLength(1)
    store.gates.shift()!()
    await writer.flush()
    expect(stored).toHaveLength(2)
    expect(stored.flatMap((p) => p.blobs).length).toBe(8)
  })

  it('with two uploads allowed, a third pack fills while two upload', async () => {
    const { store, writer, stored, add } = await packWriter(2)
    for (let i = 0; i < 8; i++) expect((await add()).settled).toBe(true)
    expect(store.gates).toHaveLength(2)
    for (let i = 0; i < 3; i++) expect((await add()).settled).toBe(true)
    const filling = await add()
    expect(filling.settled).toBe(false)
    store.gates.shift()!()
    await filling.done
    expect(store.gates).toHaveLength(2)
    while (store.gates.length > 0) store.gates.shift()!()
    await writer.flush()
    expect(stored).toHaveLength(3)
  })
})
