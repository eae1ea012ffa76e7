/**
 * A fresh, journaled ext4 file system (a sparse image on a loop device) for one restore, so that
 * both tools restore into the same conditions, and into what a desktop's disk usually is.
 *
 * Why not a folder of this machine: its root file system is ext4 without a journal, and there the
 * kernel will not reuse an inode for 60 s after its file was deleted (5 min while the inode table
 * block is dirty, which creating files next to it makes it; `recently_deleted` in
 * fs/ext4/ialloc.c). After the bench deletes a 49k-file tree (the previous restore, a VM's home),
 * each file created costs up to ~1 ms of kernel time: `perf` showed a third of a restore's samples
 * in `recently_deleted` and the buffer lookups it makes, and a restore took 25 s instead of 10.
 * Whichever tool restored next to a recent deletion lost, so the ratio measured the order.
 */
import { execFile } from 'node:child_process'
import { mkdir, open, rm } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface ScratchFs {
  /** Where to restore: the root of the fresh file system (or a plain folder, see `fallback`). */
  dir: string
  /** Why a plain folder is used instead (no root, no loop device, no mkfs.ext4), or null. */
  fallback: string | null
  dispose(): Promise<void>
}

/** Makes and mounts a fresh ext4 of `bytes` under `parent`; falls back to a plain folder. */
export async function scratchFs(parent: string, name: string, bytes: number): Promise<ScratchFs> {
  const dir = path.join(parent, name)
  const image = path.join(parent, `${name}.img`)
  await mkdir(dir, { recursive: true })
  try {
    const file = await open(image, 'w')
    await file.truncate(bytes)
    await file.close()
    // Inode tables and journal written now, not by a kernel thread during the timed restore.
    await run('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', image])
    await run('mount', ['-o', 'loop', image, dir])
  } catch (error) {
    await rm(image, { force: true })
    const why = ((error as { stderr?: string }).stderr || (error as Error).message).trim()
    return {
      dir,
      fallback: why.split('\n')[0] ?? 'unknown',
      dispose: () => rm(dir, { recursive: true, force: true }),
    }
  }
  return {
    dir,
    fallback: null,
    async dispose() {
      await run('umount', [dir])
      await rm(image, { force: true })
      await rm(dir, { recursive: true, force: true })
    },
  }
}
