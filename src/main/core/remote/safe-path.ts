/**
 * Which restore entries are safe to write under a target directory. Pure (no I/O) so that the SSH
 * restore writer and the local-folder writer apply the same rules. Paths are raw bytes relative to
 * the target. A restore point's names come from a VM that an agent with root may have controlled,
 * so nothing in them is trusted:
 *
 * 1. A path is relative, non-empty, without NUL, and no component is `..` (`.` and empty
 *    components are dropped: `a//./b` is `a/b`). The target itself is the empty path.
 * 2. Nothing is written through a symlink: an entry whose parent chain contains a symlink written
 *    earlier in this restore, or one already at the target, is refused. Writers also create
 *    symlinks after everything else, so no later entry can be redirected by one.
 * 3. A hard link must point at a regular file written earlier in this restore (never at a file
 *    that merely exists at the target, which could be anything, anywhere).
 * 4. Each path is written once; a second entry for the same path is refused.
 * 5. Only files, directories, symlinks, hard links and FIFOs are restored (no device nodes).
 * Symlink *targets* are not restricted: a workspace may legitimately link to /usr/lib/... . They
 * are written as links and never followed.
 */

export type SafeEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo'

export type RefusalReason =
  | 'empty-path'
  | 'absolute-path'
  | 'nul-byte'
  | 'dot-dot'
  | 'through-symlink'
  | 'hardlink-target'
  | 'duplicate'
  | 'unsupported-type'

export interface Refusal {
  reason: RefusalReason
  message: string
}

const SLASH = 0x2f

/** Splits and normalizes a relative path; a Refusal if it is not safe on its own. */
export function normalizeRelativePath(path: Buffer): Buffer[] | Refusal {
  if (path.includes(0)) return refuse('nul-byte', 'the name contains a NUL byte')
  if (path[0] === SLASH) return refuse('absolute-path', 'the path is absolute')
  const parts: Buffer[] = []
  let start = 0
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && path[i] !== SLASH) continue
    const part = path.subarray(start, i)
    start = i + 1
    if (part.length === 0 || (part.length === 1 && part[0] === 0x2e)) continue
    if (part.length === 2 && part[0] === 0x2e && part[1] === 0x2e) {
      return refuse('dot-dot', 'the path contains ".."')
    }
    parts.push(part)
  }
  return parts
}

/** A single name inside a directory (tree objects store names, not paths). */
export function isSafeName(name: Buffer): boolean {
  if (name.length === 0 || name.includes(0) || name.includes(SLASH)) return false
  return (
    !(name.length === 1 && name[0] === 0x2e) &&
    !(name.length === 2 && name[0] === 0x2e && name[1] === 0x2e)
  )
}

export function joinParts(parts: readonly Buffer[]): Buffer {
  const out: Buffer[] = []
  parts.forEach((p, i) => {
    if (i > 0) out.push(Buffer.from('/'))
    out.push(p)
  })
  return Buffer.concat(out)
}

export interface GuardedEntry {
  path: Buffer
  type: SafeEntryType | string
  /** For hard links: the path (relative to the target) of the file it links to. */
  linkTarget?: Buffer | null
}

export type GuardVerdict = { ok: true; path: Buffer; parts: Buffer[] } | ({ ok: false } & Refusal)

/**
 * Tracks one restore and judges each entry in the order the writer will write it.
 * `existingSymlinks`: paths (relative to the target) that are symlinks at the target already.
 */
export class RestorePathGuard {
  private readonly symlinks = new Set<string>()
  private readonly written = new Set<string>()
  private readonly files = new Set<string>()

  constructor(existingSymlinks: Iterable<Buffer> = []) {
    for (const link of existingSymlinks) {
      const parts = normalizeRelativePath(link)
      if (Array.isArray(parts)) this.symlinks.add(key(joinParts(parts)))
    }
  }

  check(entry: GuardedEntry): GuardVerdict {
    if (!['file', 'dir', 'symlink', 'hardlink', 'fifo'].includes(entry.type)) {
      return {
        ok: false,
        ...refuse('unsupported-type', `entries of type ${entry.type} are not restored`),
      }
    }
    const parts = normalizeRelativePath(entry.path)
    if (!Array.isArray(parts)) return { ok: false, ...parts }
    if (parts.length === 0 && entry.type !== 'dir') {
      return {
        ok: false,
        ...refuse('empty-path', 'only a directory can stand for the target itself'),
      }
    }
    if (this.throughSymlink(parts)) {
      return { ok: false, ...refuse('through-symlink', 'a parent directory is a symlink') }
    }
    const path = joinParts(parts)
    const k = key(path)
    if (this.written.has(k)) return { ok: false, ...refuse('duplicate', 'the path occurs twice') }
    if (entry.type === 'hardlink') {
      const target = entry.linkTarget ? normalizeRelativePath(entry.linkTarget) : null
      if (!Array.isArray(target) || !this.files.has(key(joinParts(target)))) {
        return {
          ok: false,
          ...refuse('hardlink-target', 'a hard link must point at a file restored before it'),
        }
      }
    }
    this.written.add(k)
    if (entry.type === 'symlink') this.symlinks.add(k)
    if (entry.type === 'file') this.files.add(k)
    return { ok: true, path, parts }
  }

  private throughSymlink(parts: readonly Buffer[]): boolean {
    if (this.symlinks.size === 0) return false
    for (let i = 1; i < parts.length; i++) {
      if (this.symlinks.has(key(joinParts(parts.slice(0, i))))) return true
    }
    return false
  }
}

function refuse(reason: RefusalReason, message: string): Refusal {
  return { reason, message }
}

/** Bytes as a string key, one char per byte (latin1 is lossless for that). */
function key(path: Buffer): string {
  return path.toString('latin1')
}
