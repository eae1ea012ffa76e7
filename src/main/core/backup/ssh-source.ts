import { CairnError } from '../../../shared/errors'
import { listRemote } from '../remote/list'
import { readRemoteFiles, type ContentRequest } from '../remote/read-contents'
import { connectSsh, type SshConnectOptions, type SshConnection } from '../ssh/connection'
import {
  counting,
  emptySourceStats,
  type ListSourceOptions,
  type Source,
  type SourceEntry,
  type SourceFile,
  type SourceReader,
} from './source'

/**
 * A VM (or any SSH host) as a backup source: one `find` lists, one `tar` per batch reads, all over
 * the one connection (docs/pull-backup.md). The caller keeps owning the connection unless `own`.
 */
export function sshSource(connection: SshConnection, options: { own?: boolean } = {}): Source {
  const stats = emptySourceStats()
  return {
    kind: 'ssh',
    label: connection.label,
    stats,
    async hostname(signal?: AbortSignal): Promise<string> {
      const result = await connection.run('uname -n', signal ? { signal } : {})
      const name = result.stdout.toString('utf8').trim()
      if (result.code !== 0 || name === '') {
        throw new CairnError(
          'remote_error',
          `Cairn could not read the host name of ${connection.label}.`,
        )
      }
      return name
    },
    list(roots: readonly string[], opts: ListSourceOptions): AsyncIterable<SourceEntry> {
      stats.listings++
      const listed = listRemote(connection, roots, {
        rules: opts.rules,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
      })
      return counting(listed, () => stats.entriesListed++)
    },
    read<R extends ContentRequest>(
      requests: readonly R[],
      opts: { signal?: AbortSignal } = {},
    ): SourceReader<R> {
      stats.reads++
      // Every requested path is a distinct inode (the pipeline reads one name per hard-link
      // group), so 'dereference' only matters if a path became a link to another one since the
      // listing: then its content comes in full rather than as a link.
      const reader = readRemoteFiles(connection, requests, {
        hardLinks: 'dereference',
        ...(opts.signal ? { signal: opts.signal } : {}),
      })
      return {
        summary: reader.summary,
        async *files(): AsyncGenerator<SourceFile<R>> {
          for await (const file of reader.files()) {
            stats.filesRead++
            yield {
              request: file.request as R,
              size: file.header.size,
              mtimeNs: file.header.mtimeNs,
              changedSinceListing: file.changedSinceListing,
              content: counted(file.content, (n) => (stats.bytesRead += n)),
            }
          }
        },
      }
    },
    async close(): Promise<void> {
      if (options.own) await connection.close()
    },
  }
}

async function* counted(
  source: AsyncIterable<Buffer>,
  add: (n: number) => void,
): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    add(chunk.length)
    yield chunk
  }
}

/** Connects (host key pinned) and returns a source that closes the connection on close(). */
export async function connectSshSource(options: SshConnectOptions): Promise<Source> {
  return sshSource(await connectSsh(options), { own: true })
}
