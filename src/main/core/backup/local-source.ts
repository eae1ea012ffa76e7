import { constants, promises as fsp, type BigIntStats } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { CairnError } from '../../../shared/errors'
import type { EntryType } from '../remote/list-format'
import { PathFilter } from '../remote/path-filter'
import type { ContentRequest, FileProblem } from '../remote/read-contents'
import { joinRoot, normalizeRoots } from '../remote/remote-paths'
import {
  counting,
  emptySourceStats,
  type ListSourceOptions,
  type Source,
  type SourceEntry,
  type SourceFile,
  type SourceReader,
  type SourceReadSummary,
} from './source'

const READ_SIZE = 1024 * 1024
/** lstat calls in flight while listing one directory. */
const STAT_PARALLEL = 32

/**
 * A folder on this computer as a backup source: an lstat walk in the same order and shape as the
 * SSH listing (depth first, a directory before its contents, excluded directories pruned, sockets
 * skipped, mount points not crossed, a root that is a symlink followed), and file contents read
 * with the same change detection as tar (size and times checked before and after reading).
 */
export function localSource(): Source {
  const stats = emptySourceStats()
  return {
    kind: 'local',
    label: 'this computer',
    stats,
    hostname: () => Promise.resolve(hostname()),
    list(roots, options) {
      stats.listings++
      return counting(listLocal(roots, options), () => stats.entriesListed++)
    },
    read<R extends ContentRequest>(
      requests: readonly R[],
      options: { signal?: AbortSignal } = {},
    ): SourceReader<R> {
      stats.reads++
      return readLocal(requests, options.signal, (files, bytes) => {
        stats.filesRead += files
        stats.bytesRead += bytes
      })
    },
    close: () => Promise.resolve(),
  }
}

function typeOf(stat: BigIntStats): EntryType {
  if (stat.isFile()) return 'file'
  if (stat.isDirectory()) return 'dir'
  if (stat.isSymbolicLink()) return 'symlink'
  if (stat.isFIFO()) return 'fifo'
  if (stat.isSocket()) return 'socket'
  if (stat.isCharacterDevice()) return 'char-device'
  if (stat.isBlockDevice()) return 'block-device'
  return 'unknown'
}

interface Owners {
  users: Map<number, string>
  groups: Map<number, string>
}

async function readOwners(): Promise<Owners> {
  const parse = async (file: string) => {
    const map = new Map<number, string>()
    const text = await readFile(file, 'utf8').catch(() => '')
    for (const line of text.split('\n')) {
      const fields = line.split(':')
      const id = Number(fields[2])
      if (fields[0] && fields[2] !== '' && Number.isSafeInteger(id) && !map.has(id))
        map.set(id, fields[0])
    }
    return map
  }
  const [users, groups] = await Promise.all([parse('/etc/passwd'), parse('/etc/group')])
  return { users, groups }
}

class LocalEntry implements SourceEntry {
  readonly type: EntryType
  readonly mode: number
  readonly uid: number
  readonly gid: number
  readonly size: number
  readonly mtimeNs: bigint
  readonly ctimeNs: bigint
  readonly inode: bigint
  readonly dev: number
  readonly nlink: number
  readonly blocks: number
  readonly user: string | null
  readonly group: string | null

  constructor(
    stat: BigIntStats,
    readonly relPath: Buffer,
    readonly linkTarget: Buffer | null,
    readonly root: string,
    readonly rootIndex: number,
    owners: Owners,
  ) {
    this.type = typeOf(stat)
    this.mode = Number(stat.mode & 0o7777n)
    this.uid = Number(stat.uid)
    this.gid = Number(stat.gid)
    this.size = this.type === 'file' || this.type === 'symlink' ? Number(stat.size) : 0
    this.mtimeNs = stat.mtimeNs
    this.ctimeNs = stat.ctimeNs
    this.inode = stat.ino
    this.dev = Number(stat.dev)
    this.nlink = Number(stat.nlink)
    this.blocks = Number(stat.blocks)
    this.user = owners.users.get(this.uid) ?? null
    this.group = owners.groups.get(this.gid) ?? null
  }

  get path(): Buffer {
    return joinRoot(this.root, this.relPath)
  }

  get sparse(): boolean {
    return this.type === 'file' && this.blocks * 512 < this.size
  }
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code
}

function describe(error: unknown): string {
  switch (errno(error)) {
    case 'EACCES':
    case 'EPERM':
      return 'Permission denied'
    case 'ENOENT':
      return 'No such file or directory'
    case 'ENOTDIR':
      return 'Not a directory'
    default:
      return (error as Error).message
  }
}

async function* listLocal(
  roots: readonly string[],
  options: ListSourceOptions,
): AsyncGenerator<SourceEntry> {
  const normalized = normalizeRoots(roots)
  const owners = await readOwners()
  const filter = new PathFilter(options.rules)
  // Every root must exist before anything is listed (the SSH listing checks the same way).
  const rootStats: BigIntStats[] = []
  const missing: string[] = []
  for (const root of normalized) {
    try {
      // A root that is a symlink is followed, as find -H does: the user named that path.
      rootStats.push(await fsp.stat(root, { bigint: true }))
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') missing.push(root)
      else throw new CairnError('remote_error', `Cairn could not read ${root}: ${describe(error)}.`)
    }
  }
  if (missing.length > 0) {
    throw new CairnError(
      'not_found',
      `The path ${missing.join(', ')} does not exist on this computer.`,
      { paths: missing },
    )
  }
  for (const [rootIndex, root] of normalized.entries()) {
    const rootStat = rootStats[rootIndex]!
    const entry = (stat: BigIntStats, relPath: Buffer, target: Buffer | null) =>
      new LocalEntry(stat, relPath, target, root, rootIndex, owners)
    yield entry(rootStat, Buffer.alloc(0), null)
    if (!rootStat.isDirectory()) continue
    // Depth first, pre-order (a directory, then everything below it, then its next sibling), as
    // find lists: one open directory per level, its children stat-ed when it is entered.
    const stack: { children: Child[]; next: number }[] = []
    const enter = async (dirRel: Buffer): Promise<void> => {
      options.signal?.throwIfAborted()
      stack.push({ children: await readChildren(root, dirRel, options, filter), next: 0 })
    }
    await enter(Buffer.alloc(0))
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      const child = top.children[top.next++]
      if (!child) {
        stack.pop()
        continue
      }
      yield entry(child.stat, child.relPath, child.target)
      // Like find -xdev: a mount point is listed, but not entered.
      if (child.stat.isDirectory() && child.stat.dev === rootStat.dev) await enter(child.relPath)
    }
  }
}

interface Child {
  relPath: Buffer
  stat: BigIntStats
  target: Buffer | null
}

/** A directory's entries (sorted by name bytes), stat-ed, excluded and vanished ones left out. */
async function readChildren(
  root: string,
  dirRel: Buffer,
  options: ListSourceOptions,
  filter: PathFilter,
): Promise<Child[]> {
  const dirPath = joinRoot(root, dirRel)
  let names: Buffer[]
  try {
    names = (await fsp.readdir(dirPath, { encoding: 'buffer' })) as Buffer[]
  } catch (error) {
    options.onWarning?.({ path: dirPath, message: `Cannot read the folder: ${describe(error)}` })
    return []
  }
  names.sort(Buffer.compare)
  const out: Child[] = []
  for (let i = 0; i < names.length; i += STAT_PARALLEL) {
    const stated = await Promise.all(
      names.slice(i, i + STAT_PARALLEL).map(async (name) => {
        const relPath = dirRel.length === 0 ? name : Buffer.concat([dirRel, Buffer.from('/'), name])
        const path = joinRoot(root, relPath)
        let stat: BigIntStats
        try {
          stat = await fsp.lstat(path, { bigint: true })
        } catch (error) {
          // Vanished since readdir: nothing to back up. Anything else is worth a warning.
          if (errno(error) !== 'ENOENT')
            options.onWarning?.({ path, message: `Cannot stat: ${describe(error)}` })
          return null
        }
        if (stat.isSocket()) return null
        if (filter.excludes(relPath.toString('utf8'), stat.isDirectory())) return null
        let target: Buffer | null = null
        if (stat.isSymbolicLink()) {
          try {
            target = (await fsp.readlink(path, { encoding: 'buffer' })) as Buffer
          } catch (error) {
            options.onWarning?.({ path, message: `Cannot read the link: ${describe(error)}` })
            return null
          }
        }
        return { relPath, stat, target }
      }),
    )
    for (const child of stated) if (child) out.push(child)
  }
  return out
}

function readLocal<R extends ContentRequest>(
  requests: readonly R[],
  signal: AbortSignal | undefined,
  count: (files: number, bytes: number) => void,
): SourceReader<R> {
  const summary: SourceReadSummary = {
    changedWhileReading: [],
    skipped: [],
    warnings: [],
    files: 0,
    bytes: 0,
  }
  let settle!: (s: SourceReadSummary) => void
  let fail!: (e: unknown) => void
  const done = new Promise<SourceReadSummary>((resolve, reject) => {
    settle = resolve
    fail = reject
  })
  done.catch(() => {})
  async function* files(): AsyncGenerator<SourceFile<R>> {
    try {
      for (const request of requests) {
        signal?.throwIfAborted()
        const file = yield* readOne(request, summary, signal)
        if (file) count(1, file)
      }
      settle(summary)
    } catch (error) {
      fail(error)
      throw error
    }
  }
  return { files, summary: done }
}

async function* readOne<R extends ContentRequest>(
  request: R,
  summary: SourceReadSummary,
  signal: AbortSignal | undefined,
): AsyncGenerator<SourceFile<R>, number | null> {
  const path = request.path
  const skip = (reason: string): null => {
    summary.skipped.push({ path, reason } satisfies FileProblem)
    return null
  }
  let handle: fsp.FileHandle
  try {
    handle = await fsp.open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (error) {
    if (errno(error) === 'ELOOP') return skip('no longer a regular file')
    return skip(`Cannot open: ${describe(error)}`)
  }
  try {
    const before = await handle.stat({ bigint: true })
    if (!before.isFile()) return skip('no longer a regular file')
    const size = Number(before.size)
    let sent = 0
    let shrank = 0
    async function* content(): AsyncGenerator<Buffer> {
      while (sent < size) {
        signal?.throwIfAborted()
        const buffer = Buffer.allocUnsafe(Math.min(READ_SIZE, size - sent))
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, sent)
        if (bytesRead === 0) {
          // Shrank while reading: pad with zeros to the size it had (tar does the same).
          shrank = size - sent
          sent = size
          yield Buffer.alloc(shrank)
          return
        }
        sent += bytesRead
        yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead)
      }
    }
    yield {
      request,
      size,
      mtimeNs: before.mtimeNs,
      changedSinceListing:
        (request.size !== undefined && request.size !== size) ||
        (request.mtimeNs !== undefined && request.mtimeNs !== before.mtimeNs),
      content: content(),
    }
    summary.files++
    summary.bytes += sent
    if (sent < size) return sent // not consumed: nothing to check
    const after = await handle.stat({ bigint: true })
    if (shrank > 0) {
      summary.changedWhileReading.push({
        path,
        reason: `File shrank by ${shrank} bytes; padding with zeros`,
      })
    } else if (
      after.size !== before.size ||
      after.mtimeNs !== before.mtimeNs ||
      after.ctimeNs !== before.ctimeNs
    ) {
      summary.changedWhileReading.push({ path, reason: 'file changed as we read it' })
    }
    return sent
  } finally {
    await handle.close()
  }
}
