import { CairnError } from '../../../shared/errors'
import type { SshConnection } from '../ssh/connection'
import { joinShell, raw, shellQuote, shScript } from '../ssh/shell-quote'
import { backupRules } from './default-rules'
import { parseFindDiagnostic } from './gnu-quoting'
import { FIND_PRINTF_FORMAT, ListRecordParser, type RawRecord } from './list-format'
import { PathFilter, type Prune } from './path-filter'
import { fetchOwnerNames, type OwnerNames } from './owner-names'
import { joinRoot, normalizeRoots } from './remote-paths'
import { readLines } from './stderr-lines'
import { streamChunks } from './stream-chunks'

export type { EntryType } from './list-format'

/** One file system entry on the VM, from the listing. Names are raw bytes, never decoded. */
export interface RemoteEntry extends Omit<RawRecord, 'depth'> {
  /** The workspace path this entry was found under, as normalized by the listing. */
  readonly root: string
  readonly rootIndex: number
  /** Absolute path on the VM (root + '/' + relPath), raw bytes; computed on access. */
  readonly path: Buffer
  /** Owner names on the VM; null when the id has no name there. */
  readonly user: string | null
  readonly group: string | null
  /** A regular file with fewer blocks allocated than its size needs: it has holes. */
  readonly sparse: boolean
}

export interface RemoteWarning {
  /** The entry the warning is about, when the tool named one. */
  path: Buffer | null
  message: string
}

export interface ListOptions {
  /** Include/exclude rules (path-filter.ts); default: backupRules() with its defaults. */
  rules?: readonly string[]
  signal?: AbortSignal
  /** Unreadable directories and other per-entry problems: reported, never fatal. */
  onWarning?: (warning: RemoteWarning) => void
}

const MISSING_EXIT = 97

/**
 * Lists the metadata of everything under `roots` on the VM with one `find` over the connection,
 * streamed: entries are yielded as they arrive, in find's depth-first order (a directory before its
 * contents). Mount points below a root are not crossed; sockets are skipped (they cannot be
 * restored); excluded directories are pruned on the VM where the rule allows it.
 */
export async function* listRemote(
  conn: SshConnection,
  roots: readonly string[],
  options: ListOptions = {},
): AsyncGenerator<RemoteEntry, void, undefined> {
  const normalized = normalizeRoots(roots)
  const filter = new PathFilter(options.rules ?? backupRules())
  const command = buildListCommand(normalized, filter.prunableRules())
  const owners = fetchOwnerNames(conn, options.signal)
  owners.catch(() => {})
  const proc = await conn.exec(command, options.signal ? { signal: options.signal } : {})
  proc.stdin.end()

  const missing: string[] = []
  const stderrDone = readLines(proc.stderr, (line) => {
    const m = /^cairn-missing (\d+)$/.exec(line)
    if (m) {
      const root = normalized[Number(m[1])]
      if (root !== undefined) missing.push(root)
      return
    }
    if (line.trim() === '') return
    const diag = parseFindDiagnostic(line)
    options.onWarning?.({ path: diag?.path ?? null, message: line })
  })

  const parser = new ListRecordParser()
  let rootIndex = -1
  let skipUnder: Buffer | null = null
  let finished = false
  try {
    const names = await owners
    for await (const chunk of streamChunks(proc.stdout)) {
      for (const record of parser.push(chunk)) {
        if (record.depth === 0) {
          rootIndex++
          skipUnder = null
        } else if (skipUnder !== null) {
          if (isInside(record.relPath, skipUnder)) continue
          skipUnder = null
        }
        const root = normalized[rootIndex]
        if (root === undefined) throw new Error('The remote listing has more roots than requested')
        const isDir = record.type === 'dir'
        if (record.depth > 0 && filter.excludes(record.relPath.toString('utf8'), isDir)) {
          if (isDir) skipUnder = record.relPath
          continue
        }
        yield new ListedEntry(record, root, rootIndex, names)
      }
    }
    parser.end()
    const [status] = await Promise.all([proc.exit, stderrDone])
    if (missing.length > 0 || status.code === MISSING_EXIT) {
      throw new CairnError(
        'not_found',
        `The path ${missing.join(', ') || normalized.join(', ')} does not exist on ${conn.label}.`,
        { paths: missing },
      )
    }
    // 1 means "some entries could not be read": each one was reported as a warning.
    if (status.code !== 0 && status.code !== 1) {
      throw new CairnError(
        'remote_error',
        status.code === 127
          ? `${conn.label} has no GNU find; Cairn needs findutils on the machine.`
          : `Listing files on ${conn.label} failed (find exited with ${status.code ?? status.signal}).`,
      )
    }
    finished = true
  } catch (error) {
    if (error instanceof CairnError) throw error
    throw (
      conn.interruption(options.signal) ??
      new CairnError(
        'remote_error',
        `Listing files on ${conn.label} failed: ${(error as Error).message}`,
      )
    )
  } finally {
    if (!finished) proc.kill()
  }
}

function isInside(relPath: Buffer, dir: Buffer): boolean {
  return (
    relPath.length > dir.length &&
    relPath[dir.length] === 0x2f &&
    relPath.subarray(0, dir.length).equals(dir)
  )
}

/** A class rather than a literal: 50k entries are held at once, so the derived fields are getters. */
class ListedEntry implements RemoteEntry {
  readonly type: RawRecord['type']
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
  readonly linkTarget: Buffer | null
  readonly relPath: Buffer
  readonly user: string | null
  readonly group: string | null

  constructor(
    record: RawRecord,
    readonly root: string,
    readonly rootIndex: number,
    names: OwnerNames,
  ) {
    this.type = record.type
    this.mode = record.mode
    this.uid = record.uid
    this.gid = record.gid
    this.size = record.size
    this.mtimeNs = record.mtimeNs
    this.ctimeNs = record.ctimeNs
    this.inode = record.inode
    this.dev = record.dev
    this.nlink = record.nlink
    this.blocks = record.blocks
    this.linkTarget = record.linkTarget
    this.relPath = record.relPath
    this.user = names.users.get(record.uid) ?? null
    this.group = names.groups.get(record.gid) ?? null
  }

  get path(): Buffer {
    return joinRoot(this.root, this.relPath)
  }

  get sparse(): boolean {
    return this.type === 'file' && this.blocks * 512 < this.size
  }
}

/**
 * The command run on the VM. A POSIX sh preamble checks that every root exists (find would only
 * warn), then find lists them:
 *
 *   find -H ROOT... -xdev \( -type s -o -path 'ROOT/lit' -o -name 'lit' ... \) -prune
 *     -o -printf FORMAT
 */
export function buildListCommand(roots: readonly string[], prunable: readonly Prune[]): Buffer {
  const tests: Buffer[] = [raw('-type s')]
  const rootNames = roots.map((r) => r.slice(r.lastIndexOf('/') + 1))
  const test = (typeTest: Buffer[], op: string, pattern: string) =>
    tests.push(raw('-o \\('), ...typeTest, raw(op), shellQuote(pattern), raw('\\)'))
  for (const rule of prunable) {
    const typeTest = rule.dirOnly ? [raw('-type d')] : []
    const literal = escapeFnmatch(rule.literal)
    if (rule.kind === 'name') {
      // find would also prune a starting point with that name; such rules stay on the desktop.
      if (!rootNames.includes(rule.literal)) test(typeTest, '-name', literal)
      continue
    }
    for (const root of roots) {
      const base = escapeFnmatch(root === '/' ? '' : root)
      test(typeTest, '-path', `${base}/${literal}`)
      // find's * also matches '/', so this is "at any depth below the root".
      if (rule.kind === 'deep') test(typeTest, '-path', `${base}/*/${literal}`)
    }
  }
  const find = joinShell([
    raw('exec env LC_ALL=C find -H "$@" -xdev \\('),
    ...tests,
    raw('\\) -prune -o -printf'),
    shellQuote(FIND_PRINTF_FORMAT),
  ])
  const script = Buffer.concat([
    raw(
      'm=; i=0; for p do ' +
        'if [ ! -e "$p" ] && [ ! -h "$p" ]; then echo "cairn-missing $i" >&2; m=1; fi; ' +
        'i=$((i+1)); done; ' +
        `[ -z "$m" ] || exit ${MISSING_EXIT}; `,
    ),
    find,
  ])
  return shScript(script, roots)
}

/** Makes a literal safe as a find -path/-name pattern. */
function escapeFnmatch(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}
