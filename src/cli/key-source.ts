import { readFile, stat } from 'node:fs/promises'
import { CairnError } from '../shared/errors'
import { MasterKeyStore } from '../main/core/keys/master-key-store'
import { parseRecoveryKey } from '../main/core/keys/recovery-key'
import { KeytarSecretStore } from '../main/core/secrets/keytar-secret-store'
import { SECRET_SERVICE } from '../main/core/secrets/secret-store'

/** Where the CLI gets the master key from: a file named by CAIRN_MASTER_KEY_FILE, or the keychain. */
export interface KeySource {
  kind: 'file' | 'keychain'
  /** For messages: the file, or "the keychain (service Cairn)". */
  label: string
  /** The key; with `create`, a keychain without one gets a new one (repo init only). */
  get(options?: { create?: boolean }): Promise<{ key: Uint8Array; created: boolean }>
}

export interface KeySourceOptions {
  env?: NodeJS.ProcessEnv
  /** Called with warnings (a group-readable key file). */
  warn?: (message: string) => void
}

/** The keychain service: `CAIRN_KEYCHAIN_SERVICE`, default "Cairn" (the desktop app's). */
export function keychainService(env: NodeJS.ProcessEnv = process.env): string {
  return env.CAIRN_KEYCHAIN_SERVICE || SECRET_SERVICE
}

export function keychainStore(env: NodeJS.ProcessEnv = process.env): MasterKeyStore {
  return new MasterKeyStore(new KeytarSecretStore({ service: keychainService(env) }))
}

export function keySource(options: KeySourceOptions = {}): KeySource {
  const env = options.env ?? process.env
  const file = env.CAIRN_MASTER_KEY_FILE
  if (file) {
    return {
      kind: 'file',
      label: file,
      get: async () => ({ key: await readKeyFile(file, options.warn), created: false }),
    }
  }
  const store = keychainStore(env)
  return {
    kind: 'keychain',
    label: `the keychain (service "${keychainService(env)}")`,
    get: async ({ create } = {}) =>
      create ? store.getOrCreate() : { key: await store.require(), created: false },
  }
}

/**
 * Reads a master key file: 64 hex digits or a recovery key, surrounding whitespace ignored. Like
 * ssh with private keys, a file that others can read or write is refused (chmod 600 fixes it); a
 * group-readable one only draws a warning, since sharing through a group can be deliberate.
 */
export async function readKeyFile(
  file: string,
  warn: (message: string) => void = () => {},
): Promise<Uint8Array> {
  let text: string
  try {
    const info = await stat(file)
    if (!info.isFile())
      throw new CairnError('invalid_input', `CAIRN_MASTER_KEY_FILE (${file}) is not a file.`)
    if (process.platform !== 'win32') {
      if (info.mode & 0o006) {
        throw new CairnError(
          'invalid_input',
          `CAIRN_MASTER_KEY_FILE (${file}) can be read or written by other users, so Cairn will not use it. Run: chmod 600 ${file}`,
        )
      }
      if (info.mode & 0o060) {
        warn(
          `warning: CAIRN_MASTER_KEY_FILE (${file}) is accessible to its group; chmod 600 keeps it private.`,
        )
      }
    }
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (error instanceof CairnError) throw error
    const code = (error as NodeJS.ErrnoException).code
    throw new CairnError(
      'invalid_input',
      code === 'ENOENT'
        ? `CAIRN_MASTER_KEY_FILE names ${file}, which does not exist.`
        : `CAIRN_MASTER_KEY_FILE (${file}) cannot be read (${code ?? 'error'}).`,
    )
  }
  try {
    return parseRecoveryKey(text.trim())
  } catch (error) {
    if (!(error instanceof CairnError)) throw error
    throw new CairnError(
      'invalid_input',
      `CAIRN_MASTER_KEY_FILE (${file}) holds no valid key: ${error.message} It must hold 64 hexadecimal digits or a recovery key.`,
    )
  }
}
