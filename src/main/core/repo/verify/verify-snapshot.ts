import { randomInt } from 'node:crypto'
import { CairnError } from '../../../../shared/errors'
import { isDamage, withoutVerifyHint } from '../errors'
import type { BlobLocation } from '../index/memory-index'
import { planRanges } from '../snapshot/range-plan'
import type { SnapshotReader } from '../snapshot/snapshot-reader'
import type { TreeEntry } from '../tree/tree-entry'
import { displayName } from '../util/display-path'

/** Ranged GETs in flight while checking data blobs (a range is at most 8 MiB). */
const VERIFY_READ_AHEAD = 2
/** Stored bytes of one range's blobs being opened at once (bounds the plaintext in memory). */
const OPEN_WINDOW_BYTES = 2 * 1024 * 1024

// The report names the affected files itself, so the errors' "run a verify" hint goes.
const errorMessage = (error: unknown) => withoutVerifyHint((error as Error).message)

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
        message: errorMessage(error),
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
  // Ranges are fetched a few ahead, and a range's blobs are opened together (data blobs in worker
  // threads) while the next range is fetched and the previous one finishes opening.
  const ranges = planRanges(locations)
  type Fetched = { bytes: Uint8Array } | { error: unknown }
  const fetches: Promise<Fetched>[] = []
  let nextFetch = 0
  const opening: Promise<void>[] = []
  const openAll = async (range: (typeof ranges)[number], fetched: Fetched) => {
    if ('error' in fetched) {
      if (!isDamage(fetched.error)) throw fetched.error
      for (const blob of range.blobs)
        damagedData.set(blob.id, { packId: blob.pack.id, message: errorMessage(fetched.error) })
    } else {
      for (let start = 0; start < range.blobs.length;) {
        let end = start
        let bytes = 0
        while (end < range.blobs.length && (end === start || bytes < OPEN_WINDOW_BYTES))
          bytes += range.blobs[end++]!.length
        const window = range.blobs.slice(start, end)
        const opened = await Promise.allSettled(
          window.map((blob) => reader.openFromRange(range, fetched.bytes, blob)),
        )
        opened.forEach((result, i) => {
          const blob = window[i]!
          if (result.status === 'fulfilled') progress.bytesChecked += result.value.length
          else if (!isDamage(result.reason)) throw result.reason
          else
            damagedData.set(blob.id, { packId: blob.pack.id, message: errorMessage(result.reason) })
        })
        start = end
      }
    }
    progress.blobsChecked += range.blobs.length
    options.onProgress?.(progress)
  }
  try {
    for (const range of ranges) {
      checkAborted(options.signal)
      while (nextFetch < ranges.length && fetches.length < VERIFY_READ_AHEAD) {
        fetches.push(
          reader.fetchRange(ranges[nextFetch++]!).then(
            (bytes) => ({ bytes }),
            (error: unknown) => ({ error }),
          ),
        )
      }
      const fetched = await fetches.shift()!
      const open = openAll(range, fetched)
      open.catch(() => {})
      opening.push(open)
      if (opening.length >= 2) await opening.shift()
    }
    while (opening.length > 0) await opening.shift()
  } finally {
    await Promise.allSettled([...fetches, ...opening])
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
