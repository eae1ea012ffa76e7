import { CairnError } from '../../../../shared/errors'
import { assertMasterKey } from '../../keys/master-key'
import { masterKeyId } from '../../keys/master-key-store'
import { KeyFileError, unwrapDataKey, wrapDataKey } from '../../keys/workspace-key-file'
import type { ObjectStore } from '../../storage/object-store'
import { KDF_INFO } from '../crypto/kdf'
import { openFile, sealFile, SealedFileError } from '../crypto/sealed-file'
import { damagedError } from '../errors'
import { CONFIG_KEY, REGISTRY_PREFIX, WorkspacePaths } from '../layout'
import { encodeConfig, keyCheckPasses, parseConfig, resealKeyCheck } from './config'
import { openRepository, type Repository } from './repository'

/** Plain JSON at `master-rotation`: the last master key rotation (docs/repository-format.md 4.3). */
export interface MasterRotationRecord {
  format: 'cairn-master-rotation'
  version: 1
  fromKeyId: string
  toKeyId: string
  /** Every key an earlier rotation replaced, oldest first (ids only), for the error they get. */
  earlierKeyIds: string[]
  host: string
  started: string
  /** Null while the rotation is under way (or was interrupted). */
  finished: string | null
}

export const ROTATION_KEY = 'master-rotation'

export type RotationStep = 'record' | 'rewrap' | 'config' | 'recheck' | 'finished'

export interface RotateMasterOptions {
  host: string
  now?: () => Date
  signal?: AbortSignal
  /** Called after each step (tests abort here to prove every state in between is safe). */
  onStep?: (step: RotationStep) => void | Promise<void>
}

/**
 * Replaces the master key of a repository: every registry entry and workspace key file is
 * re-sealed with the new key in place, then the config's key check, then everything is checked
 * once more. Data keys, packs, indexes and snapshots are untouched. Idempotent: with the same two
 * keys it resumes from wherever an earlier call stopped (the config may already open with the new
 * key), so a crash or an abort at any point loses nothing as long as the caller keeps both keys
 * until it returns.
 */
export async function rotateMasterKey(
  store: ObjectStore,
  oldKey: Uint8Array,
  newKey: Uint8Array,
  options: RotateMasterOptions,
): Promise<{ repo: Repository; rewrapped: number }> {
  assertMasterKey(oldKey)
  assertMasterKey(newKey)
  if (Buffer.from(oldKey).equals(Buffer.from(newKey)))
    throw new CairnError('invalid_input', 'The new master key is the old one.')
  const now = options.now ?? (() => new Date())
  const signal = options.signal
  const config = await readConfig(store, signal)
  const flipped = keyCheckPasses(config, newKey)
  if (!flipped && !keyCheckPasses(config, oldKey)) {
    throw new CairnError(
      'unauthorized',
      'This master key does not open this repository, so it cannot be rotated.',
    )
  }
  const previous = await readRotationRecord(store, signal)
  const fromKeyId = masterKeyId(oldKey)
  const toKeyId = masterKeyId(newKey)
  const sameRotation = previous?.fromKeyId === fromKeyId && previous.toKeyId === toKeyId
  const earlier = sameRotation
    ? previous.earlierKeyIds
    : previous
      ? [...previous.earlierKeyIds, previous.fromKeyId]
      : []
  const record: MasterRotationRecord = {
    format: 'cairn-master-rotation',
    version: 1,
    fromKeyId,
    toKeyId,
    earlierKeyIds: [...new Set(earlier)].filter((id) => id !== toKeyId),
    host: options.host,
    started: sameRotation ? previous.started : now().toISOString(),
    finished: null,
  }
  if (!flipped) {
    await putRecord(store, record, signal)
    await options.onStep?.('record')
  }
  let rewrapped = await rewrapAll(store, config.id, oldKey, newKey, signal)
  await options.onStep?.('rewrap')
  if (!flipped) {
    await store.put(CONFIG_KEY, encodeConfig(resealKeyCheck(config, newKey)), { signal })
    await options.onStep?.('config')
  }
  // Key files or workspaces another desktop added with the old key while this one was busy.
  rewrapped += await rewrapAll(store, config.id, oldKey, newKey, signal)
  await options.onStep?.('recheck')
  await putRecord(store, { ...record, finished: now().toISOString() }, signal)
  await options.onStep?.('finished')
  const repo = await openRepository(store, newKey, signal ? { signal } : {})
  return { repo, rewrapped }
}

async function readConfig(store: ObjectStore, signal?: AbortSignal) {
  const parsed = parseConfig(await store.get(CONFIG_KEY, { signal }))
  if (parsed.kind !== 'ok') {
    throw new CairnError('conflict', `The repository at ${store.description} cannot be rotated.`)
  }
  return parsed.config
}

async function putRecord(store: ObjectStore, record: MasterRotationRecord, signal?: AbortSignal) {
  await store.put(ROTATION_KEY, Buffer.from(`${JSON.stringify(record, null, 2)}\n`), { signal })
}

/** The last rotation's record, or null (none, or not one this Cairn reads). */
export async function readRotationRecord(
  store: ObjectStore,
  signal?: AbortSignal,
): Promise<MasterRotationRecord | null> {
  let bytes: Uint8Array
  try {
    bytes = await store.get(ROTATION_KEY, { signal })
  } catch (error) {
    if (error instanceof CairnError && error.code === 'not_found') return null
    throw error
  }
  try {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<MasterRotationRecord>
    if (
      value.format !== 'cairn-master-rotation' ||
      value.version !== 1 ||
      typeof value.fromKeyId !== 'string' ||
      typeof value.toKeyId !== 'string' ||
      typeof value.host !== 'string' ||
      typeof value.started !== 'string'
    )
      return null
    const earlierKeyIds = Array.isArray(value.earlierKeyIds)
      ? value.earlierKeyIds.filter((id): id is string => typeof id === 'string')
      : []
    return { ...value, earlierKeyIds, finished: value.finished ?? null } as MasterRotationRecord
  } catch {
    return null
  }
}

/** Re-seals whatever still opens only with the old key; returns how many objects it rewrote. */
async function rewrapAll(
  store: ObjectStore,
  repoId: string,
  oldKey: Uint8Array,
  newKey: Uint8Array,
  signal?: AbortSignal,
): Promise<number> {
  let rewritten = 0
  const workspaces: string[] = []
  for await (const object of store.list(REGISTRY_PREFIX, { signal })) {
    workspaces.push(object.key.slice(REGISTRY_PREFIX.length))
  }
  for (const workspaceId of workspaces) {
    const key = `${REGISTRY_PREFIX}${workspaceId}`
    const bytes = await store.get(key, { signal })
    if (!(await opensWith(bytes, newKey))) {
      let plain: Buffer
      try {
        plain = await openFile(bytes, 'registry', oldKey, KDF_INFO.masterFile)
      } catch (error) {
        if (!(error instanceof SealedFileError)) throw error
        throw damagedError(`The registry entry of workspace ${workspaceId} is damaged.`, {
          object: key,
          cause: error.message,
        })
      }
      await store.put(key, await sealFile('registry', 0, newKey, KDF_INFO.masterFile, plain), {
        signal,
      })
      rewritten++
    }
    const paths = new WorkspacePaths(workspaceId)
    const files: string[] = []
    for await (const object of store.list(paths.keys, { signal })) files.push(object.key)
    for (const file of files) {
      const match = /\/keys\/(\d{8})$/.exec(file)
      if (!match) continue
      const version = Number(match[1])
      const bytes = await store.get(file, { signal })
      if (tryUnwrap(newKey, repoId, workspaceId, version, bytes)) continue
      const dataKey = tryUnwrap(oldKey, repoId, workspaceId, version, bytes)
      if (!dataKey) {
        throw damagedError(
          `The key file of version ${version} of workspace ${workspaceId} opens with neither the old nor the new master key; the rotation stopped and nothing else was changed.`,
          { object: file, cause: 'key file does not open' },
        )
      }
      await store.put(file, wrapDataKey(newKey, repoId, workspaceId, dataKey), { signal })
      rewritten++
    }
  }
  return rewritten
}

async function opensWith(bytes: Uint8Array, key: Uint8Array): Promise<boolean> {
  try {
    await openFile(bytes, 'registry', key, KDF_INFO.masterFile)
    return true
  } catch (error) {
    if (error instanceof SealedFileError) return false
    throw error
  }
}

function tryUnwrap(
  key: Uint8Array,
  repoId: string,
  workspaceId: string,
  version: number,
  bytes: Uint8Array,
) {
  try {
    return unwrapDataKey(key, repoId, workspaceId, version, bytes)
  } catch (error) {
    if (error instanceof KeyFileError) return null
    throw error
  }
}
