import { randomBytes } from 'node:crypto'
import { aeadKey, NONCE_LENGTH, openBox, sealBox } from '../repo/crypto/aead'
import { hkdf, KDF_INFO } from '../repo/crypto/kdf'
import { decodeBase64Strict } from '../repo/util/base64'

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
  return encodeKeyFile({
    format: FORMAT,
    version: 1,
    workspace: workspaceId,
    keyVersion: dataKey.version,
    created: dataKey.created,
    salt: salt.toString('base64'),
    wrapped: box.toString('base64'),
  })
}

/** The one byte-exact encoding; a file that differs from it in any byte is refused. */
function encodeKeyFile(json: KeyFileJson): Buffer {
  const ordered: KeyFileJson = {
    format: json.format,
    version: json.version,
    workspace: json.workspace,
    keyVersion: json.keyVersion,
    created: json.created,
    salt: json.salt,
    wrapped: json.wrapped,
  }
  return Buffer.from(`${JSON.stringify(ordered, null, 2)}\n`, 'utf8')
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
  if (!encodeKeyFile(json).equals(Buffer.from(bytes)))
    throw new KeyFileError('format', 'key file is not in canonical form')
  const salt = decodeBase64Strict(json.salt)
  const wrapped = decodeBase64Strict(json.wrapped)
  if (!salt || salt.length !== 32 || !wrapped) {
    throw new KeyFileError('format', 'key file has malformed base64')
  }
  const wrapKey = aeadKey(hkdf(masterKey, salt, KDF_INFO.workspaceKeyWrap))
  const aad = associatedData(repoId, workspaceId, json.keyVersion, json.created)
  const key = openBox(wrapKey, wrapped, aad)
  if (!key || key.length !== 32)
    throw new KeyFileError('authentication', 'key file does not open with this master key')
  return { version: json.keyVersion, created: json.created, key }
}
