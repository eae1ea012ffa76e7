import { CairnError } from '../../../../shared/errors'
import { assertMasterKey } from '../../keys/master-key'
import type { ObjectStore } from '../../storage/object-store'
import { openFile, sealFile, SealedFileError } from '../crypto/sealed-file'
import { KDF_INFO } from '../crypto/kdf'
import { damagedError } from '../errors'
import { CONFIG_KEY, REGISTRY_PREFIX, registryKey, assertWorkspaceId } from '../layout'
import { rotatedAwayError } from './rotated-away'
import {
  createConfig,
  encodeConfig,
  keyCheckPasses,
  parseConfig,
  REPOSITORY_FORMAT_VERSION,
} from './config'

/**
 * An opened repository: the store plus the master key, proven right by the config's key check.
 * Holds no other state; workspaces are opened from it.
 */
export class Repository {
  readonly #masterKey: Uint8Array
  #previousMasterKey: Uint8Array | null = null

  constructor(
    readonly store: ObjectStore,
    readonly id: string,
    readonly formatVersion: number,
    readonly created: string,
    masterKey: Uint8Array,
  ) {
    this.#masterKey = Uint8Array.from(masterKey)
  }

  /** For the key hierarchy only (wrapping workspace keys); never logged or returned to callers. */
  get masterKey(): Uint8Array {
    return this.#masterKey
  }

  /**
   * While a master key rotation is under way on this desktop, key files and registry entries not
   * yet re-wrapped still open with the other key (section 4.3 of docs/repository-format.md).
   */
  get previousMasterKey(): Uint8Array | null {
    return this.#previousMasterKey
  }

  set previousMasterKey(key: Uint8Array | null) {
    this.#previousMasterKey = key ? Uint8Array.from(key) : null
  }
}

/**
 * Creates a repository in an empty location. Refuses a location that already holds objects, so a
 * wrong prefix never mixes a repository into someone else's data.
 */
export async function initRepository(
  store: ObjectStore,
  masterKey: Uint8Array,
  options: { now?: Date; signal?: AbortSignal } = {},
): Promise<Repository> {
  assertMasterKey(masterKey)
  for await (const object of store.list('', { signal: options.signal })) {
    if (object.key === CONFIG_KEY) {
      throw new CairnError(
        'conflict',
        `There is already a repository (or another program's config) at ${store.description}.`,
      )
    }
    throw new CairnError(
      'conflict',
      `${store.description} is not empty, so Cairn will not create a repository there. Choose an empty bucket, prefix or folder.`,
    )
  }
  const config = createConfig(masterKey, options.now)
  try {
    await store.put(CONFIG_KEY, encodeConfig(config), { createOnly: true, signal: options.signal })
  } catch (error) {
    if (error instanceof CairnError && error.code === 'conflict') {
      throw new CairnError(
        'conflict',
        `Another repository was just created at ${store.description}.`,
      )
    }
    throw error
  }
  return new Repository(store, config.id, config.version, config.created, masterKey)
}

/**
 * Opens a repository and proves the master key with the key check, before anything is written:
 * `not_found` if there is no repository, `conflict` for a foreign or newer format, `unauthorized`
 * for a key that does not open it.
 */
export async function openRepository(
  store: ObjectStore,
  masterKey: Uint8Array,
  options: { signal?: AbortSignal } = {},
): Promise<Repository> {
  assertMasterKey(masterKey)
  let bytes: Uint8Array
  try {
    bytes = await store.get(CONFIG_KEY, { signal: options.signal })
  } catch (error) {
    if (error instanceof CairnError && error.code === 'not_found') {
      throw new CairnError(
        'not_found',
        `There is no Cairn repository at ${store.description}. Check the bucket, prefix or folder, or create a repository there.`,
      )
    }
    throw error
  }
  const parsed = parseConfig(bytes)
  if (parsed.kind === 'foreign') {
    throw new CairnError(
      'conflict',
      `${store.description} holds data that is not a Cairn repository (its config is not Cairn's). Check the bucket, prefix or folder.`,
    )
  }
  if (parsed.kind === 'newer') {
    throw new CairnError(
      'conflict',
      `The repository at ${store.description} uses format version ${parsed.version}; this Cairn reads up to version ${REPOSITORY_FORMAT_VERSION}. Update Cairn.`,
    )
  }
  if (parsed.kind === 'damaged') {
    throw damagedError(
      `The repository's config at ${store.description} is damaged (it is not byte for byte as Cairn wrote it).`,
      { object: CONFIG_KEY, cause: 'not canonical' },
    )
  }
  if (!keyCheckPasses(parsed.config, masterKey)) {
    const rotated = await rotatedAwayError(store, masterKey, options.signal)
    if (rotated) throw rotated
    throw new CairnError(
      'unauthorized',
      'This recovery key does not open this repository. Use the key that was shown when the repository was created, and check that the storage location is the right one. (If the key is surely right, the repository config may be damaged.)',
    )
  }
  const { config } = parsed
  return new Repository(store, config.id, config.version, config.created, masterKey)
}

/** The workspaces registered in the repository (one LIST of registry/, no workspace data read). */
export async function listWorkspaces(
  repo: Repository,
  options: { signal?: AbortSignal } = {},
): Promise<string[]> {
  const ids: string[] = []
  for await (const object of repo.store.list(REGISTRY_PREFIX, { signal: options.signal })) {
    ids.push(object.key.slice(REGISTRY_PREFIX.length))
  }
  return ids
}

export interface WorkspaceRecord {
  workspace: string
  created: string
}

/** Records the workspace in registry/ (sealed with the master key; create-only, idempotent). */
export async function registerWorkspace(
  repo: Repository,
  workspaceId: string,
  now = new Date(),
): Promise<void> {
  assertWorkspaceId(workspaceId)
  const record: WorkspaceRecord = { workspace: workspaceId, created: now.toISOString() }
  const bytes = await sealFile(
    'registry',
    0,
    repo.masterKey,
    KDF_INFO.masterFile,
    Buffer.from(JSON.stringify(record)),
  )
  try {
    await repo.store.put(registryKey(workspaceId), bytes, { createOnly: true })
  } catch (error) {
    if (!(error instanceof CairnError && error.code === 'conflict')) throw error
  }
}

export async function readWorkspaceRecord(
  repo: Repository,
  workspaceId: string,
): Promise<WorkspaceRecord> {
  const key = registryKey(workspaceId)
  const bytes = await repo.store.get(key)
  try {
    const plain = await openRegistryEntry(repo, bytes)
    const record = JSON.parse(plain.toString('utf8')) as WorkspaceRecord
    if (record.workspace !== workspaceId)
      throw new SealedFileError('format', 'it names another workspace')
    return record
  } catch (error) {
    if (!(error instanceof SealedFileError || error instanceof SyntaxError)) throw error
    throw damagedError(`The registry entry of workspace ${workspaceId} is damaged.`, {
      object: key,
      cause: error.message,
    })
  }
}

async function openRegistryEntry(repo: Repository, bytes: Uint8Array): Promise<Buffer> {
  try {
    return await openFile(bytes, 'registry', repo.masterKey, KDF_INFO.masterFile)
  } catch (error) {
    const previous = repo.previousMasterKey
    if (!(error instanceof SealedFileError) || !previous) throw error
    return await openFile(bytes, 'registry', previous, KDF_INFO.masterFile)
  }
}
