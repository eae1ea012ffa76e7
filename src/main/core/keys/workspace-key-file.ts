import { randomBytes } from 'node:crypto'
import { aeadKey, NONCE_LENGTH, openBox, sealBox } from '../repo/crypto/aead'
import { hkdf, KDF_INFO } from '../repo/crypto/kdf'

/**
 * A workspace data key: 32 random bytes, one per key version. Version 1 is created with the
 * workspace; rotation adds version n+1 (new data uses the newest), and old versions stay so old
 * restore points remain readable.
 */
export interface DataKey {
  version: number
  /** ISO 8601, UTC. */
  created: string
  key: Uint8Array
}

const FORMAT = 'cairn-workspace-key'

/**
 * The key file stored at workspaces/<id>/keys/<version>: JSON with the data key wrapped by a key
 * derived from the master key. The associated data binds the repository id, the workspace id, the
 * version and the creation time, so a key file cannot be moved to another workspace or
 * repository, or have its version changed, without failing authentication.
 */
interface KeyFileJson {
  format: typeof FORMAT
  version: 1
  workspace: string
  keyVersion: number
  created: string
  salt: string
  wrapped: string
}

function associatedData(
  repoId: string,
  workspaceId: string,
  keyVersion: number,
  created: string,
): Buffer {
  return Buffer.from(`${FORMAT}\n1\n${repoId}\n${workspaceId}\n${keyVersion}\n${created}`, 'utf8')
}

export function generateDataKey(version: number, now = new Date()): DataKey {
  return { version, created: now.toISOString(), key: randomBytes(32) }
}

export function wrapDataKey(
  masterKey: Uint8Array,
  repoId: string,
  workspaceId: string,
  dataKey: DataKey,
): Buffer {
  const salt = randomBytes(32)
  const wrapKey = aeadKey(hkdf(masterKey, salt, KDF_INFO.workspaceKeyWrap))
  const aad = associatedData(repoId, workspaceId, dataKey.version, dataKey.created)
  const box = sealBox(wrapKey, randomBytes(NONCE_LENGTH), [dataKey.key], aad)
  const json: KeyFileJson = {
    format: FORMAT,
    version: 1,
    workspace: workspaceId,
    keyVersion: dataKey.version,
    created: dataKey.created,
    salt: salt.toString('base64'),
    wrapped: box.toString('base64'),
  }
  return Buffer.from(`${JSON.stringify(json, null, 2)}\n`, 'utf8')
}

export class KeyFileError extends Error {
  constructor(
    readonly reason: 'format' | 'authentication',
    message: string,
  ) {
    super(message)
  }
}

export function unwrapDataKey(
  masterKey: Uint8Array,
  repoId: string,
  workspaceId: string,
  expectedVersion: number,
  bytes: Uint8Array,
): DataKey {
  let json: KeyFileJson
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8')) as KeyFileJson
  } catch {
    throw new KeyFileError('format', 'key file is not JSON')
  }
  if (
    json === null ||
    typeof json !== 'object' ||
    json.format !== FORMAT ||
    json.version !== 1 ||
    json.workspace !== workspaceId ||
    json.keyVersion !== expectedVersion ||
    typeof json.created !== 'string' ||
    typeof json.salt !== 'string' ||
    typeof json.wrapped !== 'string'
  ) {
    throw new KeyFileError('format', 'key file has unexpected fields')
  }
  const wrapKey = aeadKey(
    hkdf(masterKey, Buffer.from(json.salt, 'base64'), KDF_INFO.workspaceKeyWrap),
  )
  const key = openBox(
    wrapKey,
    Buffer.from(json.wrapped, 'base64'),
    associatedData(repoId, workspaceId, json.keyVersion, json.created),
  )
  if (!key || key.length !== 32)
    throw new KeyFileError('authentication', 'key file does not open with this master key')
  return { version: json.keyVersion, created: json.created, key }
}
