import { createHash } from 'node:crypto'
import { CairnError } from '../../../../shared/errors'
import { FormatError } from '../binary/byte-reader'
import { KDF_INFO } from '../crypto/kdf'
import { openFile, readSealedHeader, sealFile, SealedFileError } from '../crypto/sealed-file'
import { damagedError, isDamage } from '../errors'
import { WorkspacePaths } from '../layout'
import { shortId } from '../util/hex'
import { Limiter } from '../util/limiter'
import type { Workspace } from '../workspace/workspace'
import { decodeIndexFile, encodeIndexFile, type IndexFileContent } from './index-file'
import { MemoryIndex, type IndexPack } from './memory-index'

/** Index files hold at most this many blobs, so no single file grows past ~4.5 MB. */
const MAX_BLOBS_PER_INDEX_FILE = 100_000

/**
 * An optional local cache of index files (the desktop keeps one so an unchanged backup does not
 * download every index). It stores the sealed bytes, so it holds nothing readable, and entries are
 * checked against their name (SHA-256) when read.
 */
export interface IndexCache {
  get(id: string): Promise<Uint8Array | null>
  put(id: string, bytes: Uint8Array): Promise<void>
  /** Drops entries not among `ids` (index files the repository no longer lists). */
  retain?(ids: readonly string[]): Promise<void>
}

export interface LoadIndexOptions {
  cache?: IndexCache
  concurrency?: number
  signal?: AbortSignal
  /** Called for a damaged index file, which is then skipped; without it, damage throws. */
  onDamaged?: (id: string, error: CairnError) => void
}

export interface LoadedIndex {
  index: MemoryIndex
  /** Ids of the index files that were merged. */
  files: string[]
}

// An index only lists what the pack headers also say, so nothing is lost with it: a repair reads
// the packs' headers, writes a new index and moves the damaged file aside.
export const INDEX_REPAIR_HINT =
  'Indexes can be rebuilt from the packs: Settings > Backups > Maintenance, check the repository, then Rebuild the index (or `cairn check --repair-index`).'

async function readIndexFile(
  workspace: Workspace,
  id: string,
  options: LoadIndexOptions,
): Promise<IndexFileContent | null> {
  let bytes = options.cache ? await options.cache.get(id) : null
  if (bytes && createHash('sha256').update(bytes).digest('hex') !== id) bytes = null
  if (!bytes) {
    try {
      bytes = await workspace.store.get(workspace.paths.indexFile(id), { signal: options.signal })
    } catch (error) {
      // Superseded and deleted between our LIST and GET: its content lives in its successor.
      if (error instanceof CairnError && error.code === 'not_found') return null
      throw error
    }
    if (createHash('sha256').update(bytes).digest('hex') !== id) {
      throw damagedError(
        `Index file ${shortId(id)} is damaged (its content does not match its name). ${INDEX_REPAIR_HINT}`,
        {
          object: workspace.paths.indexFile(id),
        },
      )
    }
    await options.cache?.put(id, bytes)
  }
  try {
    const { keyVersion } = readSealedHeader(bytes)
    const key = workspace.keys.get(keyVersion)
    if (!key) throw new SealedFileError('format', `written with unknown key version ${keyVersion}`)
    return decodeIndexFile(await openFile(bytes, 'index', key.dataKey, KDF_INFO.workspaceFile))
  } catch (error) {
    if (error instanceof SealedFileError || error instanceof FormatError) {
      throw damagedError(
        `Index file ${shortId(id)} is damaged (${error.message}). ${INDEX_REPAIR_HINT}`,
        {
          object: workspace.paths.indexFile(id),
          cause: error.message,
        },
      )
    }
    throw error
  }
}

/** Lists and merges every index file of the workspace into one in-memory index. */
export async function loadIndex(
  workspace: Workspace,
  options: LoadIndexOptions = {},
): Promise<LoadedIndex> {
  const ids: string[] = []
  for await (const object of workspace.store.list(workspace.paths.index, {
    signal: options.signal,
  })) {
    const id = WorkspacePaths.idOf(object.key)
    if (id) ids.push(id)
  }
  const limiter = new Limiter(options.concurrency ?? 8)
  const read = async (id: string) => {
    try {
      return await readIndexFile(workspace, id, options)
    } catch (error) {
      if (!options.onDamaged || !isDamage(error)) throw error
      options.onDamaged(id, error)
      return null
    }
  }
  const contents = await Promise.all(ids.map((id) => limiter.run(() => read(id))))
  // Superseded (compacted) index files never come back: their cache entries can go.
  await options.cache?.retain?.(ids)
  const index = new MemoryIndex()
  const files: string[] = []
  contents.forEach((content, i) => {
    if (!content) return
    files.push(ids[i]!)
    for (const pack of content.packs) index.addPack(pack)
  })
  return { index, files }
}

/**
 * Writes index files describing `packs` (which must already be stored): one file per 100k blobs.
 * Returns the ids of the files written.
 */
export async function writeIndexFiles(
  workspace: Workspace,
  packs: readonly IndexPack[],
  options: { supersedes?: string[]; signal?: AbortSignal; cache?: IndexCache } = {},
): Promise<string[]> {
  const groups: IndexPack[][] = [[]]
  let blobs = 0
  for (const pack of packs) {
    if (
      blobs + pack.blobs.length > MAX_BLOBS_PER_INDEX_FILE &&
      groups[groups.length - 1]!.length > 0
    ) {
      groups.push([])
      blobs = 0
    }
    groups[groups.length - 1]!.push(pack)
    blobs += pack.blobs.length
  }
  const written: string[] = []
  const key = workspace.keys.current
  for (const [i, group] of groups.entries()) {
    if (group.length === 0 && !(options.supersedes?.length && i === 0)) continue
    const plain = encodeIndexFile({
      supersedes: i === 0 ? (options.supersedes ?? []) : [],
      packs: group,
    })
    const bytes = await sealFile('index', key.version, key.dataKey, KDF_INFO.workspaceFile, plain)
    const id = createHash('sha256').update(bytes).digest('hex')
    await workspace.store.put(workspace.paths.indexFile(id), bytes, {
      createOnly: true,
      signal: options.signal,
    })
    // The writer's own index files: the next backup need not download them.
    await options.cache?.put(id, bytes)
    written.push(id)
  }
  return written
}

/**
 * Rewrites all index files as few files (each superseding the old ones), then deletes the old
 * files. Readers that listed an old file just before it was deleted skip it (its packs are in the
 * new files). Run with the workspace lease held.
 */
export async function compactIndex(
  workspace: Workspace,
  options: { signal?: AbortSignal } = {},
): Promise<string[]> {
  const { index, files } = await loadIndex(workspace, options)
  const byPack = new Map<string, IndexPack & { blobs: IndexPack['blobs'][number][] }>()
  for (const blob of index.blobs()) {
    let pack = byPack.get(blob.pack.id)
    if (!pack) {
      pack = { ...blob.pack, blobs: [] }
      byPack.set(blob.pack.id, pack)
    }
    pack.blobs.push({
      type: blob.type,
      id: blob.id,
      offset: blob.offset,
      length: blob.length,
      rawLength: blob.rawLength,
    })
  }
  for (const pack of byPack.values()) pack.blobs.sort((a, b) => a.offset - b.offset)
  const written = await writeIndexFiles(workspace, [...byPack.values()], {
    supersedes: files,
    signal: options.signal,
  })
  for (const id of files) {
    if (!written.includes(id))
      await workspace.store.delete(workspace.paths.indexFile(id), { signal: options.signal })
  }
  return written
}
