import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export interface AtomicWriteOptions {
  /** File mode for a new file; defaults to 0o600 because Cairn's state is private to the user. */
  mode?: number
}

/**
 * Replaces `path` so that a reader (or the next start after a crash or power loss) sees either the
 * old content or the new one, never a mix or an empty file: write a temp file in the same
 * directory, fsync it, rename it over the target, then fsync the directory so the rename itself is
 * durable.
 */
export async function atomicWriteFile(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', options.mode ?? 0o600)
  try {
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => {})
    throw error
  }
  await fsyncDir(dir)
}

/**
 * Makes a rename or link in `dir` durable. Windows cannot open a directory for fsync (and NTFS
 * journals the metadata change), so there it is skipped.
 */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
