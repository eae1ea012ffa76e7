/** Checks that a restored tree equals the backed-up one: types, sizes, modes, mtimes, link targets, content. */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { lstat, readdir, readlink } from 'node:fs/promises'
import path from 'node:path'

interface EntryFacts {
  type: string
  size: number
  mode: number
  mtimeS: number
  target?: string
  sha256?: string
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer)
  return hash.digest('hex')
}

export async function describeTree(
  root: string,
  withContent: boolean,
): Promise<Map<string, EntryFacts>> {
  const out = new Map<string, EntryFacts>()
  const walk = async (rel: string) => {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true })
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name
      const abs = path.join(root, childRel)
      const st = await lstat(abs)
      const facts: EntryFacts = {
        type: e.isDirectory()
          ? 'dir'
          : e.isSymbolicLink()
            ? 'symlink'
            : e.isFile()
              ? 'file'
              : 'other',
        size: e.isFile() ? st.size : 0,
        mode: st.mode & 0o7777,
        mtimeS: Math.floor(st.mtimeMs / 1000),
      }
      if (e.isSymbolicLink()) facts.target = await readlink(abs)
      if (e.isFile() && withContent) facts.sha256 = await hashFile(abs)
      out.set(childRel, facts)
      if (e.isDirectory()) await walk(childRel)
    }
  }
  await walk('')
  return out
}

/** Differences, at most `limit` of them, for people. Directory mtimes are not compared (restic and tar set them last, best effort). */
export function compareTrees(
  a: Map<string, EntryFacts>,
  b: Map<string, EntryFacts>,
  limit = 10,
): string[] {
  const problems: string[] = []
  for (const [rel, x] of a) {
    const y = b.get(rel)
    if (!y) problems.push(`missing: ${rel}`)
    else {
      for (const k of ['type', 'size', 'mode', 'target', 'sha256'] as const) {
        if (x[k] !== y[k])
          problems.push(`${k} differs: ${rel} (${String(x[k])} vs ${String(y[k])})`)
      }
      if (x.type !== 'dir' && x.type !== 'symlink' && x.mtimeS !== y.mtimeS) {
        problems.push(`mtime differs: ${rel} (${x.mtimeS} vs ${y.mtimeS})`)
      }
    }
    if (problems.length >= limit) return problems
  }
  for (const rel of b.keys()) {
    if (!a.has(rel)) problems.push(`extra: ${rel}`)
    if (problems.length >= limit) break
  }
  return problems
}
