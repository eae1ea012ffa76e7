import { randomBytes } from 'node:crypto'
import { link, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { CairnError } from '../../../shared/errors'
import { fsyncDir } from '../fs/atomic-write'
import { throwIfAborted } from '../net/retry'
import { assertValidKey, assertValidPrefix, compareKeys } from './keys'
import {
  emptyRequestCounts,
  type ByteRange,
  type ObjectInfo,
  type ObjectStore,
  type RequestCounts,
} from './object-store'

/** Temp files live here, inside the root so that rename and link stay on one filesystem. */
const TEMP_DIR = '.cairn-tmp'

/**
 * An object store in a local (or mounted) folder: key "a/b/c" is the file `<root>/a/b/c`.
 *
 * Writes go to a temp file that is fsynced and then renamed (put) or hard-linked (create-only put)
 * into place, and the directory is fsynced, so a reader never sees a partial object and a written
 * object survives power loss. link() fails with EEXIST if the name exists, which makes create-only
 * atomic even between processes. Filesystems without hard links (FAT, some network shares) are
 * refused for create-only writes with a clear message.
 */
export class FolderStore implements ObjectStore {
  readonly description: string
  readonly requests: RequestCounts = emptyRequestCounts()
  private rootChecked = false

  constructor(readonly root: string) {
    this.description = root
  }

  async put(
    key: string,
    body: Uint8Array,
    options: { createOnly?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    assertValidKey(key)
    if (key === TEMP_DIR || key.startsWith(`${TEMP_DIR}/`)) {
      throw new CairnError('invalid_input', `Invalid object key (${TEMP_DIR} is reserved).`)
    }
    throwIfAborted(options.signal)
    await this.checkRoot()
    this.requests.put++
    const target = this.pathOf(key)
    const tempDir = join(this.root, TEMP_DIR)
    const temp = join(tempDir, `${randomBytes(8).toString('hex')}.tmp`)
    try {
      await mkdir(tempDir, { recursive: true })
      await mkdir(dirname(target), { recursive: true })
      const handle = await open(temp, 'wx', 0o600)
      try {
        await handle.writeFile(body)
        await handle.sync()
      } finally {
        await handle.close()
      }
      throwIfAborted(options.signal)
      if (options.createOnly) {
        try {
          await link(temp, target)
        } catch (error) {
          if (errno(error) === 'EEXIST')
            throw new CairnError('conflict', `The object ${key} already exists.`)
          if (
            errno(error) === 'EPERM' ||
            errno(error) === 'ENOTSUP' ||
            errno(error) === 'EOPNOTSUPP'
          ) {
            throw new CairnError(
              'storage_failed',
              `The folder ${this.root} is on a filesystem without hard links, which Cairn needs for safe writes. Choose a folder on another disk.`,
            )
          }
          throw error
        }
        await unlink(temp)
      } else {
        await rename(temp, target)
      }
      await fsyncDir(dirname(target))
      this.requests.bytesUp += body.byteLength
    } catch (error) {
      await unlink(temp).catch(() => {})
      throw this.mapError(error, key)
    }
  }

  async get(
    key: string,
    options: { range?: ByteRange; signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    assertValidKey(key)
    throwIfAborted(options.signal)
    await this.checkRoot()
    this.requests.get++
    const range = options.range
    if (range && range.length === 0) return new Uint8Array(0)
    try {
      const handle = await open(this.pathOf(key), 'r')
      try {
        let data: Uint8Array
        if (range) {
          const size = (await handle.stat()).size
          if (range.offset >= size) {
            throw new CairnError('storage_failed', `The range asked of ${key} starts past its end.`)
          }
          const length = Math.min(range.length, size - range.offset)
          const buffer = Buffer.allocUnsafe(length)
          let read = 0
          while (read < length) {
            const { bytesRead } = await handle.read(
              buffer,
              read,
              length - read,
              range.offset + read,
            )
            if (bytesRead === 0) break
            read += bytesRead
          }
          data = buffer.subarray(0, read)
        } else {
          data = await handle.readFile()
        }
        this.requests.bytesDown += data.byteLength
        return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      } finally {
        await handle.close()
      }
    } catch (error) {
      throw this.mapError(error, key)
    }
  }

  async head(key: string, options: { signal?: AbortSignal } = {}): Promise<ObjectInfo | null> {
    assertValidKey(key)
    throwIfAborted(options.signal)
    await this.checkRoot()
    this.requests.head++
    try {
      const info = await stat(this.pathOf(key))
      if (!info.isFile()) return null
      return { key, size: info.size, modified: info.mtime }
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return null
      throw this.mapError(error, key)
    }
  }

  async *list(prefix: string, options: { signal?: AbortSignal } = {}): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix)
    await this.checkRoot()
    this.requests.list++
    // Start at the deepest directory the prefix names in full; filter the rest by name.
    const slash = prefix.lastIndexOf('/')
    const base = slash < 0 ? '' : prefix.slice(0, slash + 1)
    yield* this.walk(base, prefix, options.signal)
  }

  async delete(key: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    assertValidKey(key)
    throwIfAborted(options.signal)
    await this.checkRoot()
    this.requests.delete++
    try {
      await unlink(this.pathOf(key))
      await fsyncDir(dirname(this.pathOf(key)))
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return
      throw this.mapError(error, key)
    }
  }

  /**
   * Yields files under `<root>/<dir>` whose keys start with `prefix`, in byte order of the whole
   * key. Sorting each directory with subdirectories compared as "name/" gives exactly that order
   * (a file "a-b" sorts before the directory "a/", as "a-b" < "a/x" byte-wise).
   */
  private async *walk(
    dir: string,
    prefix: string,
    signal?: AbortSignal,
  ): AsyncGenerator<ObjectInfo> {
    throwIfAborted(signal)
    let entries
    try {
      entries = await readdir(join(this.root, ...dir.split('/').filter(Boolean)), {
        withFileTypes: true,
      })
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return
      throw this.mapError(error, dir)
    }
    const items = entries
      .filter((e) => !(dir === '' && e.name === TEMP_DIR))
      .filter((e) => e.isFile() || e.isDirectory())
      .map((e) => ({
        name: e.name,
        isDir: e.isDirectory(),
        key: dir + e.name + (e.isDirectory() ? '/' : ''),
      }))
      .filter((e) =>
        e.isDir ? e.key.startsWith(prefix) || prefix.startsWith(e.key) : e.key.startsWith(prefix),
      )
      .sort((a, b) => compareKeys(a.key, b.key))
    for (const item of items) {
      if (item.isDir) {
        yield* this.walk(item.key, prefix, signal)
      } else {
        try {
          const info = await stat(join(this.root, ...item.key.split('/')))
          yield { key: item.key, size: info.size, modified: info.mtime }
        } catch (error) {
          if (errno(error) !== 'ENOENT') throw this.mapError(error, item.key)
        }
      }
    }
  }

  private pathOf(key: string): string {
    return join(this.root, ...key.split('/'))
  }

  private async checkRoot(): Promise<void> {
    if (this.rootChecked) return
    let info
    try {
      info = await stat(this.root)
    } catch (error) {
      if (errno(error) === 'ENOENT') {
        throw new CairnError(
          'not_found',
          `The folder ${this.root} does not exist. Create it, or choose another folder.`,
        )
      }
      throw this.mapError(error, '')
    }
    if (!info.isDirectory()) {
      throw new CairnError(
        'storage_failed',
        `${this.root} is not a folder. Choose a folder for Cairn's storage.`,
      )
    }
    this.rootChecked = true
  }

  private mapError(error: unknown, key: string): Error {
    if (error instanceof CairnError) return error
    switch (errno(error)) {
      case 'ENOENT':
        return new CairnError('not_found', `The object ${key} does not exist in ${this.root}.`)
      case 'EACCES':
      case 'EPERM':
      case 'EROFS':
        return new CairnError(
          'forbidden',
          `Cairn may not write to the folder ${this.root}. Check its permissions, or choose another folder.`,
        )
      case 'ENOSPC':
      case 'EDQUOT':
        return new CairnError('storage_failed', `The disk holding ${this.root} is full.`)
      case 'EISDIR':
      case 'ENOTDIR':
        return new CairnError(
          'storage_failed',
          `The object ${key} clashes with a folder of the same name in ${this.root}.`,
        )
      default:
        return new CairnError(
          'storage_failed',
          `Cairn could not use the folder ${this.root} (${errno(error) ?? 'error'}).`,
        )
    }
  }
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}
