import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { assertWorkspaceId } from '../layout'
import type { IndexCache } from './index-store'

const ID = /^[0-9a-f]{64}$/

/**
 * Index files on local disk, so a backup, restore or verify does not download every index file
 * again (an unchanged backup of a 1 GiB workspace otherwise GETs ~7 MB of index files).
 *
 * What is cached are the sealed index files exactly as stored (encrypted and authenticated, so
 * the cache holds nothing readable), one file per index file, named by its id (the SHA-256 of its
 * bytes). Index files are immutable, so an entry never goes stale: it is either the stored file
 * or damaged. `loadIndex` checks every entry against its name before use and downloads the file
 * again if it does not match, then still authenticates it with the data key as for a download.
 *
 * Layout: `<root>/<repository id>/<workspace>/index/<index id>`. Keyed by the repository's random
 * id, so two repositories (or a repository deleted and created again at the same place) never
 * share entries; and only ids that the repository's own LIST names are ever looked up.
 * Entries whose index file is gone from the repository (superseded by a compaction) are removed
 * when the index is next loaded.
 */
export class FolderIndexCache implements IndexCache {
  readonly dir: string

  constructor(root: string, repositoryId: string, workspaceId: string) {
    if (!ID.test(repositoryId)) throw new Error('repository id must be 64 hex digits')
    assertWorkspaceId(workspaceId)
    this.dir = path.join(root, repositoryId, workspaceId, 'index')
  }

  async get(id: string): Promise<Uint8Array | null> {
    if (!ID.test(id)) return null
    try {
      return await readFile(path.join(this.dir, id))
    } catch {
      return null
    }
  }

  /** Best effort: a cache that cannot be written (full disk, permissions) only costs downloads. */
  async put(id: string, bytes: Uint8Array): Promise<void> {
    if (!ID.test(id)) return
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 })
      // Whole or absent: a crash mid-write leaves a temp file, never a short entry.
      const temp = path.join(this.dir, `.${id}.${randomBytes(4).toString('hex')}.tmp`)
      await writeFile(temp, bytes, { mode: 0o600 })
      await rename(temp, path.join(this.dir, id))
    } catch {
      // ignore
    }
  }

  /** Removes entries (and stray temp files) that are not among `keep`. */
  async retain(keep: readonly string[]): Promise<void> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch {
      return
    }
    const wanted = new Set(keep)
    await Promise.all(
      names
        .filter((name) => !wanted.has(name))
        .map((name) => rm(path.join(this.dir, name), { force: true }).catch(() => {})),
    )
  }
}
