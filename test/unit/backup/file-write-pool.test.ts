import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  FileWritePool,
  PooledWriteError,
  type PooledFile,
} from '../../../src/main/core/backup/file-write-pool'

let dir = ''
let pool: FileWritePool
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-write-pool-'))
  pool = new FileWritePool(2)
})
afterEach(async () => {
  await pool.close()
  await rm(dir, { recursive: true, force: true })
})

function spec(name: string, overrides: Partial<PooledFile> = {}): PooledFile {
  return {
    temp: Buffer.from(join(dir, `.${name}.tmp`)),
    path: Buffer.from(join(dir, name)),
    openMode: 0o600,
    mode: 0o640,
    chmod: true,
    chown: false,
    uid: 0,
    gid: 0,
    mtime: 1_600_000_000.5,
    sparse: false,
    ...overrides,
  }
}

describe('writing restored files in worker threads', () => {
  it('writes many files in batches with their content, mode and mtime, under their real names only', async () => {
    const names = Array.from({ length: 300 }, (_, i) => `f${i}`)
    await Promise.all(
      names.map((name, i) =>
        pool.write(spec(name), [Buffer.from(`part one of ${i}|`), Buffer.from(`part two`)]),
      ),
    )
    for (const [i, name] of names.entries()) {
      expect(await readFile(join(dir, name), 'utf8')).toBe(`part one of ${i}|part two`)
    }
    const info = await stat(join(dir, 'f7'))
    expect(info.mode & 0o7777).toBe(0o640)
    expect(info.mtimeMs).toBe(1_600_000_000_500)
    // No temporary file is left.
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('leaves all-zero pieces of a sparse file as holes, with the right length', async () => {
    const zeros = Buffer.alloc(512 * 1024)
    await pool.write(spec('sparse', { sparse: true }), [zeros, Buffer.from('end'), zeros])
    const content = await readFile(join(dir, 'sparse'))
    expect(content.length).toBe(1024 * 1024 + 3)
    expect(content.subarray(512 * 1024, 512 * 1024 + 3).toString()).toBe('end')
    const info = await stat(join(dir, 'sparse'))
    // Only the block holding "end" is allocated (file systems allocate at least 4 KiB blocks).
    expect(info.blocks * 512).toBeLessThan(64 * 1024)
  })

  it('never writes through a symlink at the temporary name, and reports the errno', async () => {
    await writeFile(join(dir, 'victim'), 'untouched')
    await symlink(join(dir, 'victim'), join(dir, '.evil.tmp'))
    const error = await pool.write(spec('evil'), [Buffer.from('payload')]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PooledWriteError)
    expect((error as PooledWriteError).code).toBe('EEXIST')
    expect(await readFile(join(dir, 'victim'), 'utf8')).toBe('untouched')
    expect(await readlink(join(dir, '.evil.tmp'))).toBe(join(dir, 'victim'))
    await expect(lstat(join(dir, 'evil'))).rejects.toThrow(/ENOENT/)
  })

  it('removes the temporary file when the last step fails, and the other files of the batch still land', async () => {
    await mkdir(join(dir, 'taken'))
    await writeFile(join(dir, 'taken', 'inside'), 'x')
    const [bad, good] = await Promise.allSettled([
      pool.write(spec('taken'), [Buffer.from('content')]),
      pool.write(spec('fine'), [Buffer.from('content')]),
    ])
    expect(bad.status).toBe('rejected')
    expect(((bad as PromiseRejectedResult).reason as PooledWriteError).code).toMatch(
      /^(EISDIR|ENOTEMPTY|EEXIST)$/,
    )
    expect(good.status).toBe('fulfilled')
    expect(await readFile(join(dir, 'fine'), 'utf8')).toBe('content')
    expect((await readdir(dir)).sort()).toEqual(['fine', 'taken'])
  })
})
