import { randomInt } from 'node:crypto'
import { CairnError } from '../../../../shared/errors'
import { isDamage } from '../errors'
import type { BlobLocation } from '../index/memory-index'
import { planRanges } from '../snapshot/range-plan'
import type { SnapshotReader } from '../snapshot/snapshot-reader'
import type { TreeEntry } from '../tree/tree-entry'
import { displayName } from '../util/display-path'

export interface VerifyOptions {
  /** Share of the snapshot's distinct data blobs to read back, 0..1 (default 1 = all). */
  dataShare?: number
  onProgress?: (progress: VerifyProgress) => void
  signal?: AbortSignal
}

export interface VerifyProgress {
  phase: 'trees' | 'data'
  treesChecked: number
  blobsChecked: number
  blobsToCheck: number
  bytesChecked: number
}

export interface VerifyProblem {
  kind: 'tree' | 'data'
  blobId: string
  packId: string | null
  message: string
  /** Affected paths, relative to the snapshot root ('/'-joined; unreadable bytes as \xNN). */
  paths: string[]
}

export interface VerifyReport {
  snapshotId: string
  ok: boolean
  treesChecked: number
  dataBlobs: number
  dataBlobsChecked: number
  bytesChecked: number
  problems: VerifyProblem[]
}

interface Walk {
  problems: VerifyProblem[]
  dataBlobs: Set<string>
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CairnError('cancelled', 'The verify was cancelled.')
}

/**
 * A restore drill for one restore point: reads and authenticates every tree, then all (or a random
 * share) of the distinct data blobs, grouped into ranged reads per pack. Damage does not stop it;
 * each damaged blob is reported with every file path that needs it.
 */
export async function verifySnapshot(
  reader: SnapshotReader,
  snapshotId: string,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const { id, snapshot } = await reader.loadSnapshot(snapshotId)
  const share = Math.min(1, Math.max(0, options.dataShare ?? 1))
  const progress: VerifyProgress = {
    phase: 'trees',
    treesChecked: 0,
    blobsChecked: 0,
    blobsToCheck: 0,
    bytesChecked: 0,
  }
  const walk: Walk = { problems: [], dataBlobs: new Set() }

  // Phase 1: every tree, breadth-first (each distinct tree once).
  const queue: { tree: string; path: string }[] = [{ tree: snapshot.tree, path: '' }]
  const seen = new Set<string>()
  for (let next = 0; next < queue.length; next++) {
    checkAborted(options.signal)
    const { tree, path } = queue[next]!
    if (seen.has(tree)) continue
    seen.add(tree)
    let entries: TreeEntry[]
    try {
      entries = await reader.readTree(tree)
    } catch (error) {
      if (!isDamage(error)) throw error
      walk.problems.push({
        kind: 'tree',
        blobId: tree,
        packId: (error.details?.packId as string | undefined) ?? null,
        message: error.message,
        paths: [path === '' ? '/' : path],
      })
      continue
    }
    progress.treesChecked++
    for (const entry of entries) {
      const childPath = path === '' ? displayName(entry.name) : `${path}/${displayName(entry.name)}`
      if (entry.type === 'dir' && entry.subtree)
        queue.push({ tree: entry.subtree, path: childPath })
      if (entry.type === 'file') for (const blob of entry.content ?? []) walk.dataBlobs.add(blob)
    }
    options.onProgress?.(progress)
  }

  // Phase 2: the data blobs (or a share of them), ordered by pack and offset for ranged reads.
  const damagedData = new Map<string, { packId: string | null; message: string }>()
  const locations: BlobLocation[] = []
  for (const blob of walk.dataBlobs) {
    if (share < 1 && randomInt(1_000_000) >= share * 1_000_000) continue
    const location = reader.index.lookup(blob)
    if (!location) {
      damagedData.set(blob, {
        packId: null,
        message: `Blob ${blob.slice(0, 8)} is not in any index.`,
      })
      continue
    }
    locations.push(location)
  }
  locations.sort((a, b) => a.pack.id.localeCompare(b.pack.id) || a.offset - b.offset)
  progress.phase = 'data'
  progress.blobsToCheck = locations.length
  for (const range of planRanges(locations)) {
    checkAborted(options.signal)
    let bytes: Uint8Array | null = null
    try {
      bytes = await reader.fetchRange(range)
    } catch (error) {
      if (!isDamage(error)) throw error
      for (const blob of range.blobs)
        damagedData.set(blob.id, { packId: blob.pack.id, message: error.message })
    }
    for (const blob of range.blobs) {
      if (bytes) {
        try {
          progress.bytesChecked += (await reader.openFromRange(range, bytes, blob)).length
        } catch (error) {
          if (!isDamage(error)) throw error
          damagedData.set(blob.id, { packId: blob.pack.id, message: error.message })
        }
      }
      progress.blobsChecked++
    }
    options.onProgress?.(progress)
  }

  // Phase 3: which files need the damaged data blobs (the trees are read again, from the cache).
  if (damagedData.size > 0) {
    const paths = new Map<string, string[]>()
    const visit = async (tree: string, path: string) => {
      let entries: TreeEntry[]
      try {
        entries = await reader.readTree(tree)
      } catch (error) {
        if (isDamage(error)) return
        throw error
      }
      for (const entry of entries) {
        const childPath =
          path === '' ? displayName(entry.name) : `${path}/${displayName(entry.name)}`
        if (entry.type === 'dir' && entry.subtree) await visit(entry.subtree, childPath)
        if (entry.type !== 'file') continue
        for (const blob of new Set(entry.content ?? [])) {
          if (damagedData.has(blob)) paths.set(blob, [...(paths.get(blob) ?? []), childPath])
        }
      }
    }
    await visit(snapshot.tree, '')
    for (const [blobId, info] of damagedData) {
      walk.problems.push({
        kind: 'data',
        blobId,
        packId: info.packId,
        message: info.message,
        paths: paths.get(blobId) ?? [],
      })
    }
  }

  return {
    snapshotId: id,
    ok: walk.problems.length === 0,
    treesChecked: progress.treesChecked,
    dataBlobs: walk.dataBlobs.size,
    dataBlobsChecked: progress.blobsChecked,
    bytesChecked: progress.bytesChecked,
    problems: walk.problems,
  }
}
