import { hostname } from 'node:os'
import { basename } from 'node:path'
import { CairnError } from '../shared/errors'
import { listWorkspaces, openRepository, type Repository } from '../main/core/repo'
import { assertWorkspaceId } from '../main/core/repo/layout'
import { createObjectStore } from '../main/core/storage/create-store'
import type { ObjectStore } from '../main/core/storage/object-store'
import { CountingStore } from '../main/core/storage/counting-store'
import { S3Store } from '../main/core/storage/s3-store'
import { WrongKeyError } from './exit-codes'
import type { CommandContext } from './io'
import { keySource, type KeySource } from './key-source'
import { parseRepo, type CliEndpoint, type RepoLocation, type RepoOptions } from './locations'

export interface CliStore {
  location: RepoLocation
  store: ObjectStore
  close(): void
}

export function openStore(ctx: CommandContext, flags: RepoOptions): CliStore {
  const location = parseRepo(flags, ctx.io.env, ctx.io.cwd)
  const base = createObjectStore(location.config, { secretAccessKey: location.secretAccessKey })
  return {
    location,
    store: new CountingStore(base, ctx.requests),
    close: () => {
      if (base instanceof S3Store) base.destroy()
    },
  }
}

export interface OpenedCliRepository extends CliStore {
  repo: Repository
  keys: KeySource
}

/**
 * Opens the repository with the master key. The key is proven by the repository's key check
 * before anything is written; a key that does not open it (or a location that is not a Cairn
 * repository) becomes a WrongKeyError, exit code 4. A refused S3 credential fails earlier, on the
 * first request, with its own message and exit code 1.
 */
export async function openCliRepository(
  ctx: CommandContext,
  flags: RepoOptions,
): Promise<OpenedCliRepository> {
  const opened = openStore(ctx, flags)
  try {
    const { store, location } = opened
    const exists = await store.head('config', { signal: ctx.signal })
    if (!exists) {
      throw new CairnError(
        'not_found',
        `There is no Cairn repository at ${location.label}. Check --repo, or create one with \`cairn repo init\`.`,
      )
    }
    const keys = keySource({ env: ctx.io.env, warn: (m) => ctx.warn(m) })
    const { key } = await keys.get()
    let repo: Repository
    try {
      repo = await openRepository(store, key, { signal: ctx.signal })
    } catch (error) {
      if (
        error instanceof CairnError &&
        (error.code === 'unauthorized' || error.code === 'conflict')
      ) {
        throw new WrongKeyError(
          error.code === 'unauthorized' && error.details?.rotatedAt === undefined
            ? new CairnError(
                'unauthorized',
                `The master key from ${keys.label} does not open the repository at ${location.label}. Use the key of the machine that created it (import its recovery key with \`cairn key import-recovery\`), or check --repo.`,
              )
            : error,
        )
      }
      throw error
    }
    return { ...opened, repo, keys }
  } catch (error) {
    opened.close()
    throw error
  }
}

/**
 * The workspace a command works on: --workspace, or the repository's only workspace. With
 * several, the user must choose (the message lists them).
 */
export async function resolveWorkspace(
  repo: Repository,
  flag: string | undefined,
  signal?: AbortSignal,
): Promise<string> {
  if (flag !== undefined) {
    assertWorkspaceId(flag)
    return flag
  }
  const ids = await listWorkspaces(repo, signal ? { signal } : {})
  if (ids.length === 1) return ids[0]!
  if (ids.length === 0) {
    throw new CairnError(
      'not_found',
      'The repository has no workspaces yet; run `cairn backup` first.',
    )
  }
  throw new CairnError(
    'invalid_input',
    `The repository holds several workspaces (${ids.join(', ')}); choose one with --workspace.`,
  )
}

/**
 * The default workspace id of a backup source: `<host>-<last path component>`, e.g.
 * ssh://dev@10.0.0.5/home/dev -> "10-0-0-5-dev", /home/me/project on laptop -> "laptop-project".
 * Characters a workspace id cannot hold become '-'.
 */
export function deriveWorkspaceId(endpoint: CliEndpoint, localHost = hostname()): string {
  const host = endpoint.kind === 'ssh' ? endpoint.host : localHost.split('.')[0]!
  const last = basename(endpoint.path)
  const raw = [host, last].filter(Boolean).join('-')
  const clean = raw
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '')
  return clean || 'workspace'
}
