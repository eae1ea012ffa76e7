import { hostname as localHostname } from 'node:os'
import { CairnError } from '../../../shared/errors'
import {
  acquireLease,
  displayName,
  findUnindexedPacks,
  indexPacksFromHeaders,
  isDamage,
  loadIndex,
  removeExpiredLeases,
  SnapshotReader,
  SnapshotWriter,
  type Lease,
  MemoryIndex,
  type SnapshotInfo,
  type TreeEntry,
  type Workspace,
} from '../repo'
import { backupRules } from '../remote/default-rules'
import { normalizeRoots } from '../remote/remote-paths'
import { FileReader } from './file-reader'
import { ProgressTicker } from './progress'
import type { SourceEntry } from './source'
import { TreeBuilder } from './tree-builder'
import type { BackupOptions, BackupPhase, BackupResult, BackupStats, BackupWarning } from './types'
import { rootEntryNames } from './view'

/** A backup's lease lives this long without renewal, and is renewed a third of that. */
const LEASE_TTL_MS = 3 * 60 * 1000

/**
 * Workspaces (by store and id) whose last backup in this process stopped with stored packs that
 * no index names, or left a lease it could not remove: the next backup there adopts the packs
 * (reads their headers and indexes them) and removes the lease first.
 */
const leftovers = new Map<string, { adopt: boolean; leases: Set<string> }>()

function leftoverKey(workspace: Workspace): string {
  return `${workspace.store.description}\0${workspace.id}`
}

function leftoverOf(workspace: Workspace) {
  const key = leftoverKey(workspace)
  let entry = leftovers.get(key)
  if (!entry) {
    entry = { adopt: false, leases: new Set() }
    leftovers.set(key, entry)
  }
  return entry
}

/**
 * Backs up `paths` of the source into a new restore point of the workspace:
 *
 * 1. The source lists everything (one streamed `find` over SSH) while, in parallel, the parent
 *    restore point and the index are loaded. Nothing is written before the listing has started
 *    (so a missing path fails first, with nothing written).
 * 2. The workspace lease is taken (one writer at a time).
 * 3. Each listed entry is diffed against the parent's tree at the same path; unchanged files keep
 *    their content ids, changed and new ones are read in batches (one `tar` each) while the
 *    listing goes on, chunked, deduplicated, encrypted and packed.
 * 4. Trees are written bottom-up as the listing leaves each folder; then the last packs are
 *    uploaded, the index written, and the restore point written last.
 *
 * A cancel (signal) or failure at any point leaves no restore point; what was uploaded is indexed
 * (best effort) so that the next backup reuses it.
 */
export async function runBackup(options: BackupOptions): Promise<BackupResult> {
  const started = Date.now()
  const { workspace, source } = options
  const roots = normalizeRoots(options.paths)
  const userSignal = options.signal
  userSignal?.throwIfAborted()
  const internal = new AbortController()
  const signal = userSignal ? AbortSignal.any([userSignal, internal.signal]) : internal.signal
  const warnings: BackupWarning[] = []
  const warn = (warning: BackupWarning) => {
    warnings.push(warning)
    options.onWarning?.(warning)
  }
  const ticker = new ProgressTicker<BackupPhase>('listing', options.onProgress)
  const progress = ticker.state
  const rules = backupRules({
    ...(options.secretsPolicy ? { secretsPolicy: options.secretsPolicy } : {}),
    ...(options.noCacheExcludes ? { noCacheExcludes: true } : {}),
    userRules: [...(options.excludes ?? []), ...(options.includes ?? []).map((rule) => `!${rule}`)],
  })
  const stats: BackupStats = {
    files: 0,
    dirs: 0,
    symlinks: 0,
    otherEntries: 0,
    filesUnchanged: 0,
    filesRead: 0,
    bytesRead: 0,
    bytes: 0,
    filesChangedWhileReading: 0,
    filesSkipped: 0,
    addedBlobs: 0,
    addedBytes: 0,
    addedPacks: 0,
    addedPackBytes: 0,
    addedIndexFiles: 0,
    adoptedPacks: 0,
    durationMs: 0,
  }
  let bytesToRead = 0

  const listed = source.list(roots, {
    rules,
    signal,
    onWarning: (w) => warn({ path: w.path ? displayName(w.path) : null, message: w.message }),
  })
  const listing = listed[Symbol.asyncIterator]()
  // Reads only, in parallel with the listing's start.
  const prepared = prepare(options, signal)
  prepared.catch(() => {})
  const host = options.host ? Promise.resolve(options.host) : source.hostname(signal)
  host.catch(() => {})

  let lease: Lease | null = null
  let leasing: Promise<Lease | null> | null = null
  let writer: SnapshotWriter | null = null
  let reader: FileReader | null = null
  let listingOpen = true
  try {
    ticker.flush()
    // The first entry means every root exists (the listing checks them all before it starts).
    const first = await listing.next()
    // The lease's requests go out while the parent and the index load (not after them).
    leasing = takeLease(options, signal)
    leasing.catch(() => {})
    // While the parent and index load (storage round trips), the listing is parsed into memory
    // (up to EARLY_ENTRIES) instead of waiting in the SSH window: the diff then starts on parsed
    // entries. In an unchanged backup the two overlap almost completely.
    const early = first.done ? { entries: [], next: null } : await readWhile(listing, prepared)
    const { parent, index, parentReader } = await prepared
    const hostname = await host
    lease = await leasing
    stats.adoptedPacks = await adoptLeftovers(workspace, index, signal)

    writer = new SnapshotWriter(workspace, index, {
      ...options.writer,
      signal,
      ...(options.indexCache ? { indexCache: options.indexCache } : {}),
    })
    const activeWriter = writer
    const fail = (error: unknown) => {
      if (!internal.signal.aborted) internal.abort(error)
      reader?.fail(error)
    }
    reader = new FileReader({
      source,
      writer: activeWriter,
      signal,
      onBytes: (n) => {
        progress.bytesDone += n
        stats.bytesRead += n
        ticker.touch()
      },
      onFile: (path) => {
        stats.filesRead++
        progress.currentPath = displayName(path)
        ticker.touch()
      },
    })
    reader.done.catch(fail)
    const builder = new TreeBuilder({
      writer: activeWriter,
      reader,
      parentReader,
      changeDetection: options.changeDetection ?? 'strict',
      reuseTrees: options.reuseUnchangedTrees ?? true,
      warn: (warning) => {
        if (warning.message.startsWith('Not backed up')) stats.filesSkipped++
        else if (warning.message.startsWith('Changed while')) stats.filesChangedWhileReading++
        warn(warning)
      },
      onUnchanged: () => {
        stats.filesUnchanged++
      },
      onFileDone: () => {
        progress.filesDone++
        ticker.touch()
      },
      onToRead: (entry) => {
        bytesToRead += entry.size
      },
      fail,
    })

    const parentRoots = await parentRootEntries(parent, parentReader)
    const names = rootEntryNames(roots)
    // Synchronous unless the builder must wait (a parent tree loading, too many files queued).
    const handle = (entry: SourceEntry): Promise<void> | void => {
      count(stats, entry)
      if (entry.relPath.length !== 0) return builder.add(entry)
      const root = roots[entry.rootIndex]!
      return builder.addRoot(entry, names[entry.rootIndex]!, parentRoots.get(root) ?? null)
    }
    if (!first.done) await handle(first.value)
    for (const entry of early.entries) {
      if (internal.signal.aborted) throw internal.signal.reason
      const wait = handle(entry)
      if (wait) await wait
    }
    for (
      let next = early.next ? await early.next : { done: true as const, value: undefined };
      !next.done;
      next = await listing.next()
    ) {
      if (internal.signal.aborted) throw internal.signal.reason
      const wait = handle(next.value)
      if (wait) await wait
    }
    listingOpen = false
    progress.filesTotal = stats.files
    progress.bytesTotal = bytesToRead
    ticker.phase('reading')
    reader.finish()
    const rootTree = await builder.finish()
    await reader.done
    ticker.phase('uploading')
    await writer.flush()
    ticker.phase('writing index')
    await writer.indexStoredPacks()
    ticker.phase('committing')
    signal.throwIfAborted()
    // A backup that lost its lease while stalled must not commit: a prune elsewhere may have
    // removed data it deduplicated against (docs/repository-format.md, Prune).
    lease?.assertHeld()
    const snapshot = await writer.commit({
      trigger: options.trigger,
      paths: roots,
      hostname,
      tree: rootTree,
      parent: parent?.id ?? null,
      ...(options.tags ? { tags: options.tags } : {}),
      ...(options.program ? { program: options.program } : {}),
      time: new Date(started),
      stats: { durationMs: Date.now() - started },
      warnings: warnings.map((w) => ({ path: w.path, message: w.message })),
    })
    const added = snapshot.snapshot.stats
    Object.assign(stats, {
      bytes: added.bytes,
      addedBlobs: added.addedBlobs,
      addedBytes: added.addedBytes,
      addedPacks: added.addedPacks,
      addedPackBytes: added.addedPackBytes,
      addedIndexFiles: added.addedIndexFiles,
      durationMs: Date.now() - started,
    })
    ticker.flush()
    return { snapshot, stats, warnings }
  } catch (error) {
    const reason =
      userSignal?.aborted === true
        ? new CairnError('cancelled', 'The backup was cancelled.')
        : internal.signal.aborted && !(error instanceof CairnError)
          ? (internal.signal.reason as unknown)
          : error
    if (!internal.signal.aborted) internal.abort(reason)
    reader?.fail(reason)
    if (listingOpen) await listing.return?.(undefined).catch(() => {})
    if (writer) {
      await writer.abort(reason)
      // Even when every pack it knows of got indexed on the way out, an upload whose answer was
      // lost may have landed: the next backup looks for such packs (one LIST) and adopts them.
      leftoverOf(workspace).adopt = true
    }
    throw reason
  } finally {
    // A lease still being taken when something failed is released once it is held.
    if (!lease && leasing) lease = await leasing.catch(() => null)
    if (lease) await releaseLease(workspace, lease)
  }
}

/** Listing entries parsed ahead while the parent restore point and the index load. */
const EARLY_ENTRIES = 20_000

/**
 * Takes entries from the listing until `until` settles (or EARLY_ENTRIES are held, or the listing
 * ends). Returns them and the pending `next()` call, if any, to continue from.
 */
async function readWhile(
  listing: AsyncIterator<SourceEntry>,
  until: Promise<unknown>,
): Promise<{ entries: SourceEntry[]; next: Promise<IteratorResult<SourceEntry>> | null }> {
  const done = until.then(
    () => null,
    () => null,
  )
  const entries: SourceEntry[] = []
  const pull = () => {
    const next = listing.next()
    // Awaited later by the caller, or dropped when the backup fails first.
    next.catch(() => {})
    return next
  }
  let next = pull()
  while (entries.length < EARLY_ENTRIES) {
    const result = await Promise.race([next, done])
    if (result === null) break
    if (result.done) return { entries, next: null }
    entries.push(result.value)
    next = pull()
  }
  return { entries, next }
}

function count(stats: BackupStats, entry: SourceEntry): void {
  if (entry.type === 'file') stats.files++
  else if (entry.type === 'dir') stats.dirs++
  else if (entry.type === 'symlink') stats.symlinks++
  else stats.otherEntries++
}

interface Prepared {
  parent: SnapshotInfo | null
  index: MemoryIndex
  parentReader: SnapshotReader | null
}

/**
 * The parent restore point, then the index (restic's order: an index loaded after the snapshot
 * list covers every snapshot in it). A parent written with an older data key is not used: after
 * a key rotation everything is read and stored again under the new key.
 */
async function prepare(options: BackupOptions, signal: AbortSignal): Promise<Prepared> {
  const { workspace } = options
  const want = options.parent === undefined ? 'latest' : options.parent
  let parent: SnapshotInfo | null = null
  if (want !== null) {
    // Reading snapshot files needs no index (and the index must be loaded after the listing).
    const lookup = new SnapshotReader(workspace, new MemoryIndex(), { signal })
    parent =
      want === 'latest'
        ? await latestSnapshot(workspace, lookup, signal)
        : await lookup.loadSnapshot(want)
  }
  const { index } = await loadIndex(workspace, {
    signal,
    ...(options.indexCache ? { cache: options.indexCache } : {}),
  })
  if (parent && parent.snapshot.keyVersion !== workspace.keys.current.version) parent = null
  const parentReader = parent ? new SnapshotReader(workspace, index, { signal }) : null
  return { parent, index, parentReader }
}

/**
 * The newest restore point. Reading every snapshot file to sort them by time costs one GET each,
 * so when the store reports modification times, only the most recently written ones are read.
 */
async function latestSnapshot(
  workspace: Workspace,
  reader: SnapshotReader,
  signal: AbortSignal,
): Promise<SnapshotInfo | null> {
  const objects: { id: string; modified: number | null }[] = []
  for await (const object of workspace.store.list(workspace.paths.snapshots, { signal })) {
    const id = object.key.slice(object.key.lastIndexOf('/') + 1)
    if (/^[0-9a-f]{64}$/.test(id))
      objects.push({ id, modified: object.modified?.getTime() ?? null })
  }
  if (objects.length === 0) return null
  if (objects.every((o) => o.modified !== null)) {
    objects.sort((a, b) => b.modified! - a.modified!)
    // Written within a few seconds of the newest: any of them may carry the latest time.
    const newest = objects[0]!.modified!
    const candidates = objects.filter((o) => newest - o.modified! <= 5_000).slice(0, 16)
    const loaded: SnapshotInfo[] = []
    for (const candidate of candidates) {
      try {
        loaded.push(await reader.loadSnapshot(candidate.id))
      } catch (error) {
        if (!isDamage(error)) throw error
      }
    }
    if (loaded.length > 0) {
      loaded.sort(
        (a, b) => b.snapshot.time.localeCompare(a.snapshot.time) || b.id.localeCompare(a.id),
      )
      return loaded[0]!
    }
  }
  const { snapshots } = await reader.listSnapshots()
  return snapshots[snapshots.length - 1] ?? null
}

/** The parent's root tree entries, by the backed-up path they came from. */
async function parentRootEntries(
  parent: SnapshotInfo | null,
  reader: SnapshotReader | null,
): Promise<Map<string, TreeEntry>> {
  const map = new Map<string, TreeEntry>()
  if (!parent || !reader) return map
  let entries: TreeEntry[]
  try {
    entries = await reader.readTree(parent.snapshot.tree)
  } catch (error) {
    if (isDamage(error)) return map
    throw error
  }
  const names = rootEntryNames(parent.snapshot.paths)
  parent.snapshot.paths.forEach((path, i) => {
    const entry = entries.find((e) => Buffer.compare(e.name, names[i]!) === 0)
    if (entry) map.set(path, entry)
  })
  return map
}

async function takeLease(options: BackupOptions, signal: AbortSignal): Promise<Lease | null> {
  if (options.lease === false) return null
  const { workspace } = options
  const custom = typeof options.lease === 'object' ? options.lease : null
  // Leases this process could not remove after an earlier failure are ours: remove them first.
  const left = leftovers.get(leftoverKey(workspace))
  for (const key of left?.leases ?? []) {
    await workspace.store.delete(key, { signal })
    left!.leases.delete(key)
  }
  // Any lease object at all (normally there is none) may be a crashed writer's: clean up the
  // expired ones and adopt the packs such a writer may have left.
  for await (const object of workspace.store.list(workspace.paths.locks, { signal })) {
    void object
    if ((await removeExpiredLeases(workspace, { ttlMs: LEASE_TTL_MS })) > 0) {
      leftoverOf(workspace).adopt = true
    }
    break
  }
  const lease = await acquireLease(workspace, {
    holder: custom?.holder ?? 'a backup',
    hostname: custom?.hostname ?? localHostname(),
    ttlMs: LEASE_TTL_MS,
    signal,
  })
  lease.keepAlive(LEASE_TTL_MS / 3)
  return lease
}

async function releaseLease(workspace: Workspace, lease: Lease): Promise<void> {
  const key = lease.objectKey
  try {
    await lease.release()
  } catch {
    // Storage trouble: remember it, the next backup from this process removes it first.
    leftoverOf(workspace).leases.add(key)
  }
}

/** Indexes packs an interrupted backup stored but could not index, so they are reused. */
async function adoptLeftovers(
  workspace: Workspace,
  index: MemoryIndex,
  signal: AbortSignal,
): Promise<number> {
  const left = leftovers.get(leftoverKey(workspace))
  if (!left?.adopt) return 0
  const orphans = await findUnindexedPacks(workspace, index, { signal })
  const result = await indexPacksFromHeaders(workspace, index, orphans, { signal })
  left.adopt = false
  return result.indexed.length
}
