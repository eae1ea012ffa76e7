import { randomBytes } from 'node:crypto'
import { aeadKey, NONCE_LENGTH, openBox, sealBox } from '../crypto/aead'
import { hkdf, KDF_INFO } from '../crypto/kdf'
import { decodeBase64Strict } from '../util/base64'

/** The repository format this code writes and the newest it reads. */
export const REPOSITORY_FORMAT_VERSION = 1
export const CONFIG_FORMAT = 'cairn-repository'
const KEY_CHECK_PLAINTEXT = Buffer.from('cairn key check v1', 'utf8')

/**
 * The `config` object, plain JSON (nothing in it is secret; it must be readable to tell a Cairn
 * repository, a foreign one and a newer format apart before any key is tried):
 *   { format: "cairn-repository", version: 1, id: <64 hex>, created: <ISO>, keyCheck: <base64> }
 * keyCheck = ChaCha20-Poly1305 box of "cairn key check v1" under
 * HKDF(master key, salt = id bytes, "cairn v1 key-check"), AAD = "cairn-repository\n<version>\n<id>\n<created>".
 * Opening it proves the master key belongs to this repository without touching anything else.
 */
export interface RepositoryConfig {
  format: typeof CONFIG_FORMAT
  version: number
  id: string
  created: string
  keyCheck: string
}

function keyCheckKey(masterKey: Uint8Array, id: string) {
  return aeadKey(hkdf(masterKey, Buffer.from(id, 'hex'), KDF_INFO.keyCheck))
}

function keyCheckAad(config: Pick<RepositoryConfig, 'version' | 'id' | 'created'>): Buffer {
  return Buffer.from(`${CONFIG_FORMAT}\n${config.version}\n${config.id}\n${config.created}`, 'utf8')
}

export function createConfig(masterKey: Uint8Array, now = new Date()): RepositoryConfig {
  const base = {
    version: REPOSITORY_FORMAT_VERSION,
    id: randomBytes(32).toString('hex'),
    created: now.toISOString(),
  }
  const box = sealBox(
    keyCheckKey(masterKey, base.id),
    randomBytes(NONCE_LENGTH),
    [KEY_CHECK_PLAINTEXT],
    keyCheckAad(base),
  )
  return { format: CONFIG_FORMAT, ...base, keyCheck: box.toString('base64') }
}

/** The same config (id, created, version) with a key check for another master key. */
export function resealKeyCheck(config: RepositoryConfig, masterKey: Uint8Array): RepositoryConfig {
  const box = sealBox(
    keyCheckKey(masterKey, config.id),
    randomBytes(NONCE_LENGTH),
    [KEY_CHECK_PLAINTEXT],
    keyCheckAad(config),
  )
  return { ...config, keyCheck: box.toString('base64') }
}

/** The one byte-exact encoding; a config that differs from it in any byte is refused as damaged. */
export function encodeConfig(config: RepositoryConfig): Buffer {
  const ordered: RepositoryConfig = {
    format: config.format,
    version: config.version,
    id: config.id,
    created: config.created,
    keyCheck: config.keyCheck,
  }
  return Buffer.from(`${JSON.stringify(ordered, null, 2)}\n`, 'utf8')
}

export type ParsedConfig =
  | { kind: 'ok'; config: RepositoryConfig }
  | { kind: 'foreign' }
  | { kind: 'newer'; version: number }
  | { kind: 'damaged' }

export function parseConfig(bytes: Uint8Array): ParsedConfig {
  let json: unknown
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    return { kind: 'foreign' }
  }
  if (json === null || typeof json !== 'object') return { kind: 'foreign' }
  const config = json as Partial<RepositoryConfig>
  if (config.format !== CONFIG_FORMAT || typeof config.version !== 'number')
    return { kind: 'foreign' }
  if (config.version > REPOSITORY_FORMAT_VERSION) return { kind: 'newer', version: config.version }
  if (
    config.version !== 1 ||
    typeof config.id !== 'string' ||
    !/^[0-9a-f]{64}$/.test(config.id) ||
    typeof config.created !== 'string' ||
    typeof config.keyCheck !== 'string'
  ) {
    return { kind: 'foreign' }
  }
  if (!encodeConfig(config as RepositoryConfig).equals(Buffer.from(bytes)))
    return { kind: 'damaged' }
  return { kind: 'ok', config: config as RepositoryConfig }
}

export function keyCheckPasses(config: RepositoryConfig, masterKey: Uint8Array): boolean {
  const box = decodeBase64Strict(config.keyCheck)
  if (!box) return false
  const plain = openBox(keyCheckKey(masterKey, config.id), box, keyCheckAad(config))
  return plain !== null && plain.equals(KEY_CHECK_PLAINTEXT)
}
