import { CairnError } from '../../../../shared/errors'
import {
  generateDataKey,
  KeyFileError,
  unwrapDataKey,
  wrapDataKey,
  type DataKey,
} from '../../keys/workspace-key-file'
import type { ObjectStore } from '../../storage/object-store'
import { damagedError } from '../errors'
import { WorkspacePaths } from '../layout'
import { registerWorkspace, type Repository } from '../repository/repository'
import { rotatedAwayError } from '../repository/rotated-away'
import { KeyRing } from './key-ring'

/** One workspace of a repository: its own prefix and its own data keys. */
export class Workspace {
  readonly paths: WorkspacePaths
  readonly store: ObjectStore

  constructor(
    readonly repo: Repository,
    readonly id: string,
    public keys: KeyRing,
  ) {
    this.paths = new WorkspacePaths(id)
    this.store = repo.store
  }
}

const KEY_FILE = /\/keys\/(\d{8})$/

async function loadDataKeys(
  repo: Repository,
  paths: WorkspacePaths,
  signal?: AbortSignal,
): Promise<DataKey[]> {
  const versions: number[] = []
  for await (const object of repo.store.list(paths.keys, { signal })) {
    const match = KEY_FILE.exec(object.key)
    if (match) versions.push(Number(match[1]))
  }
  const keys: DataKey[] = []
  for (const version of versions) {
    const bytes = await repo.store.get(paths.keyFile(version), { signal })
    try {
      keys.push(unwrapWithEither(repo, paths.workspaceId, version, bytes))
    } catch (error) {
      if (!(error instanceof KeyFileError)) throw error
      if (error.reason === 'authentication') {
        const rotated = await rotatedAwayError(repo.store, repo.masterKey, signal)
        if (rotated) throw rotated
      }
      // The master key already passed the repository's key check, so this file is damaged or forged.
      throw damagedError(
        `The key file of version ${version} of workspace ${paths.workspaceId} is damaged (${error.message}); restore points written with it cannot be read.`,
        { object: paths.keyFile(version), cause: error.message },
      )
    }
  }
  return keys
}

function unwrapWithEither(
  repo: Repository,
  workspaceId: string,
  version: number,
  bytes: Uint8Array,
): DataKey {
  try {
    return unwrapDataKey(repo.masterKey, repo.id, workspaceId, version, bytes)
  } catch (error) {
    const previous = repo.previousMasterKey
    if (!(error instanceof KeyFileError) || error.reason !== 'authentication' || !previous)
      throw error
    return unwrapDataKey(previous, repo.id, workspaceId, version, bytes)
  }
}

/**
 * Opens a workspace, creating its first data key when `create` is set and it has none. Two
 * desktops creating the same workspace at once cannot end up with two keys: the key file is
 * written create-only and the loser reads the winner's.
 */
export async function openWorkspace(
  repo: Repository,
  workspaceId: string,
  options: { create?: boolean; signal?: AbortSignal; now?: Date } = {},
): Promise<Workspace> {
  const paths = new WorkspacePaths(workspaceId)
  let keys = await loadDataKeys(repo, paths, options.signal)
  if (keys.length === 0) {
    if (!options.create) {
      throw new CairnError(
        'not_found',
        `Workspace ${workspaceId} has no restore points in this repository.`,
      )
    }
    await registerWorkspace(repo, workspaceId, options.now)
    await writeKeyFile(repo, paths, generateDataKey(1, options.now))
    keys = await loadDataKeys(repo, paths, options.signal)
  }
  return new Workspace(repo, workspaceId, new KeyRing(keys))
}

async function writeKeyFile(
  repo: Repository,
  paths: WorkspacePaths,
  key: DataKey,
): Promise<boolean> {
  try {
    await repo.store.put(
      paths.keyFile(key.version),
      wrapDataKey(repo.masterKey, repo.id, paths.workspaceId, key),
      {
        createOnly: true,
      },
    )
    return true
  } catch (error) {
    if (error instanceof CairnError && error.code === 'conflict') return false
    throw error
  }
}

/**
 * Adds a new data key version; data written afterwards uses it, old restore points keep reading
 * with their versions. (Blob IDs and chunk boundaries derive from the key, so the first backup
 * after a rotation uploads everything again: nothing written under the old key is reused.)
 */
export async function rotateWorkspaceKey(workspace: Workspace, now = new Date()): Promise<number> {
  const next = Math.max(...workspace.keys.versions) + 1
  if (!(await writeKeyFile(workspace.repo, workspace.paths, generateDataKey(next, now)))) {
    throw new CairnError(
      'conflict',
      'Another Cairn rotated this workspace key at the same time. Try again.',
    )
  }
  workspace.keys = new KeyRing(await loadDataKeys(workspace.repo, workspace.paths))
  return next
}
