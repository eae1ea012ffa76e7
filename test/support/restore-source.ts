import fs from 'node:fs'
import type { RestoreEntry } from '../../src/main/core/remote/restore-writer'
import { join, walk } from './tree-fixture'

/** The local tree as restore entries, the way the pipeline will produce them from a snapshot. */
export async function* entriesFromTree(root: string): AsyncGenerator<RestoreEntry> {
  const firstPathOfInode = new Map<bigint, Buffer>()
  for (const e of walk(root)) {
    const s = e.stat
    const base = {
      path: e.relPath,
      mode: Number(s.mode & 0o7777n),
      uid: Number(s.uid),
      gid: Number(s.gid),
      mtimeNs: s.mtimeNs,
    }
    if (s.isDirectory()) yield { ...base, type: 'dir' }
    else if (s.isSymbolicLink()) yield { ...base, type: 'symlink', linkTarget: e.linkTarget }
    else if (s.isFile()) {
      const first = s.nlink > 1n ? firstPathOfInode.get(s.ino) : undefined
      if (first) {
        yield { ...base, type: 'hardlink', linkTarget: first }
        continue
      }
      if (s.nlink > 1n) firstPathOfInode.set(s.ino, e.relPath)
      yield {
        ...base,
        type: 'file',
        size: Number(s.size),
        content: readLazily(join(root, e.relPath)),
      }
    }
  }
}

/** Opens the file only when the writer starts reading it (refused entries are never opened). */
async function* readLazily(path: Buffer): AsyncGenerator<Buffer> {
  for await (const chunk of fs.createReadStream(path, { highWaterMark: 256 * 1024 })) {
    yield chunk as Buffer
  }
}
