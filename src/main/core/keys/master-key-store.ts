import { createHash } from 'node:crypto'
import { CairnError } from '../../../shared/errors'
import type { KnownSecrets } from '../secrets/known-secrets'
import { secretAccounts, type SecretStore } from '../secrets/secret-store'
import { generateMasterKey, MASTER_KEY_LENGTH } from './master-key'
import { formatRecoveryKey, parseRecoveryKey } from './recovery-key'

/** The keychain account of the master key (service: the store's, 'Cairn' by default). */
export const MASTER_KEY_ACCOUNT = secretAccounts.masterKey
export const replacedMasterKeyAccount = secretAccounts.replacedMasterKey
export const PENDING_MASTER_KEY_ACCOUNT = secretAccounts.pendingMasterKey

/**
 * What the keychain item holds: the key and the little state that belongs to it. Kept in one item
 * so that importing another key resets "recovery key shown" in the same write.
 */
interface StoredMasterKey {
  format: 'cairn-master-key'
  version: 1
  key: string
  /** ISO 8601: when this key was created (or imported on this machine). */
  created: string
  /** How the key came to this machine. */
  origin: 'generated' | 'imported'
  /** ISO 8601: when the recovery key was last shown; null if never. */
  recoveryShownAt: string | null
}

export interface MasterKeyStatus {
  present: boolean
  /** A short public id of the key, to compare two machines' keys without showing them. */
  keyId: string | null
  created: string | null
  origin: 'generated' | 'imported' | null
  recoveryShownAt: string | null
}

export interface ExportedRecoveryKey {
  recoveryKey: string
  keyId: string
  /** Set when the recovery key had been shown before this call. */
  previouslyShownAt: string | null
}

export interface ImportResult {
  keyId: string
  /** The same key was already in the keychain: nothing changed. */
  unchanged: boolean
  /** The id of a different key that was replaced (kept under `master-key.replaced.<id>`). */
  replacedKeyId: string | null
}

/**
 * A short, public id of a master key: 16 hex digits of a domain-separated SHA-256. It lets a user
 * check that two machines hold the same key; it reveals nothing usable about the key.
 */
export function masterKeyId(key: Uint8Array): string {
  return createHash('sha256')
    .update('cairn master key id v1\n')
    .update(key)
    .digest('hex')
    .slice(0, 16)
}

/**
 * The master key in the OS keychain, and nowhere else: created on first use (256 random bits),
 * shown as a recovery key on request, imported from a recovery key on another machine. There is no
 * file fallback; without a keychain every call fails with `keychain_unavailable`.
 *
 * "Shown once": the keychain item records when the recovery key was shown. The first export just
 * returns it; a later one needs `again: true` (the UI asks the user to confirm), so the key is not
 * put on screen by accident, and the status tells the UI whether the user has seen it at all.
 */
export class MasterKeyStore {
  constructor(
    private readonly secrets: SecretStore,
    private readonly options: { known?: KnownSecrets; now?: () => Date } = {},
  ) {}

  async status(): Promise<MasterKeyStatus> {
    const stored = await this.read()
    if (!stored) {
      return { present: false, keyId: null, created: null, origin: null, recoveryShownAt: null }
    }
    return {
      present: true,
      keyId: masterKeyId(stored.keyBytes),
      created: stored.created,
      origin: stored.origin,
      recoveryShownAt: stored.recoveryShownAt,
    }
  }

  /** The key, or null when this machine has none yet. */
  async get(): Promise<Uint8Array | null> {
    return (await this.read())?.keyBytes ?? null
  }

  /** The key; `not_configured` (saying what to do) when there is none. */
  async require(): Promise<Uint8Array> {
    const key = await this.get()
    if (key) return key
    throw noMasterKey()
  }

  /**
   * The key, created and stored if there is none. Two processes creating one at the same instant
   * both end up with whichever write the keychain kept: the stored value is read back after the
   * write, and that is what is returned.
   */
  async getOrCreate(): Promise<{ key: Uint8Array; created: boolean }> {
    const existing = await this.get()
    if (existing) return { key: existing, created: false }
    const key = generateMasterKey()
    await this.write({
      format: 'cairn-master-key',
      version: 1,
      key: Buffer.from(key).toString('hex'),
      created: this.now().toISOString(),
      origin: 'generated',
      recoveryShownAt: null,
    })
    const stored = await this.get()
    if (!stored) {
      throw new CairnError(
        'keychain_unavailable',
        'The keychain accepted the new master key but does not return it. Check your keyring and try again.',
      )
    }
    return { key: stored, created: Buffer.from(stored).equals(key) }
  }

  /**
   * The recovery key. If it was shown before, `again` must be set, otherwise `conflict` with the
   * date it was shown. Records the time it was shown.
   */
  async exportRecovery(options: { again?: boolean } = {}): Promise<ExportedRecoveryKey> {
    const stored = await this.read()
    if (!stored) throw noMasterKey()
    const { keyBytes, raw: _raw, ...item } = stored
    if (item.recoveryShownAt !== null && !options.again) {
      throw new CairnError(
        'conflict',
        `The recovery key was already shown (on ${item.recoveryShownAt}). Show it again only if your copy is lost, and keep it somewhere safe.`,
        { recoveryShownAt: item.recoveryShownAt },
      )
    }
    const recoveryKey = formatRecoveryKey(keyBytes)
    this.options.known?.add(recoveryKey)
    await this.write({ ...item, recoveryShownAt: this.now().toISOString() })
    return {
      recoveryKey,
      keyId: masterKeyId(keyBytes),
      previouslyShownAt: item.recoveryShownAt,
    }
  }

  /**
   * Stores the key a recovery key (or 64 hex digits) encodes. The text is validated first (its
   * checksums name a mistyped group). A different key already in the keychain is only replaced
   * with `replace: true`, and is then kept under `master-key.replaced.<id>`; importing the key that
   * is already there changes nothing. `check` runs before anything is stored (e.g. opening the
   * repository with the new key), so a key that does not open it is never saved.
   */
  async importRecovery(
    text: string,
    options: { replace?: boolean; check?: (key: Uint8Array) => Promise<void> } = {},
  ): Promise<ImportResult> {
    const key = parseRecoveryKey(text)
    const keyId = masterKeyId(key)
    this.options.known?.add(Buffer.from(key).toString('hex'))
    const existing = await this.read()
    if (existing && Buffer.from(existing.keyBytes).equals(key)) {
      return { keyId, unchanged: true, replacedKeyId: null }
    }
    const existingId = existing ? masterKeyId(existing.keyBytes) : null
    if (existing && !options.replace) {
      throw new CairnError(
        'conflict',
        `This machine already has a different master key (id ${existingId}). Replacing it makes the restore points made with it unreadable from here unless you still have its recovery key. Confirm the replacement to go ahead.`,
        { existingKeyId: existingId, importedKeyId: keyId },
      )
    }
    await options.check?.(key)
    if (existing) {
      await this.secrets.set(replacedMasterKeyAccount(existingId!), existing.raw)
    }
    await this.write({
      format: 'cairn-master-key',
      version: 1,
      key: Buffer.from(key).toString('hex'),
      created: this.now().toISOString(),
      origin: 'imported',
      // The user typed it in: they have a copy.
      recoveryShownAt: this.now().toISOString(),
    })
    return { keyId, unchanged: false, replacedKeyId: existingId }
  }

  /** The new key of a master key rotation that started on this machine and has not finished. */
  async pendingRotation(): Promise<Uint8Array | null> {
    const raw = await this.secrets.get(PENDING_MASTER_KEY_ACCOUNT)
    if (raw === null) return null
    const item = parseStored(raw)
    this.options.known?.add(item.key)
    return Buffer.from(item.key, 'hex')
  }

  /**
   * The two keys of a master key rotation: the current one and the new one, which is stored in
   * the keychain (as pending) before the repository is touched, so a crash at any later point
   * leaves both here. A rotation that was interrupted is resumed with the same new key.
   */
  async beginRotation(): Promise<{ oldKey: Uint8Array; newKey: Uint8Array; resumed: boolean }> {
    const current = await this.read()
    if (!current) throw noMasterKey()
    const pending = await this.pendingRotation()
    if (pending && !Buffer.from(pending).equals(current.keyBytes)) {
      return { oldKey: current.keyBytes, newKey: pending, resumed: true }
    }
    // A pending key equal to the current one: the last rotation finished but for this cleanup.
    if (pending) await this.secrets.delete(PENDING_MASTER_KEY_ACCOUNT)
    const key = generateMasterKey()
    const item: StoredMasterKey = {
      format: 'cairn-master-key',
      version: 1,
      key: Buffer.from(key).toString('hex'),
      created: this.now().toISOString(),
      origin: 'generated',
      recoveryShownAt: null,
    }
    this.options.known?.add(item.key)
    await this.secrets.set(PENDING_MASTER_KEY_ACCOUNT, JSON.stringify(item))
    const stored = await this.pendingRotation()
    if (!stored || !Buffer.from(stored).equals(key)) {
      throw new CairnError(
        'keychain_unavailable',
        'The keychain did not keep the new master key, so the rotation did not start. Check your keyring and try again.',
      )
    }
    return { oldKey: current.keyBytes, newKey: key, resumed: false }
  }

  /**
   * After the repository opens with the new key only: the old key is kept under
   * `master-key.replaced.<id>` (so a mistaken rotation can be undone), the new one becomes the
   * master key, and its recovery key is returned (and counted as shown).
   */
  async completeRotation(newKey: Uint8Array): Promise<{
    recoveryKey: string
    keyId: string
    previousKeyId: string
  }> {
    const current = await this.read()
    if (!current) throw noMasterKey()
    const previousKeyId = masterKeyId(current.keyBytes)
    if (!Buffer.from(current.keyBytes).equals(newKey)) {
      await this.secrets.set(replacedMasterKeyAccount(previousKeyId), current.raw)
      await this.write({
        format: 'cairn-master-key',
        version: 1,
        key: Buffer.from(newKey).toString('hex'),
        created: this.now().toISOString(),
        origin: 'generated',
        recoveryShownAt: this.now().toISOString(),
      })
    }
    await this.secrets.delete(PENDING_MASTER_KEY_ACCOUNT)
    const recoveryKey = formatRecoveryKey(newKey)
    this.options.known?.add(recoveryKey)
    return { recoveryKey, keyId: masterKeyId(newKey), previousKeyId }
  }

  private now(): Date {
    return this.options.now?.() ?? new Date()
  }

  private async write(item: StoredMasterKey): Promise<void> {
    this.options.known?.add(item.key)
    await this.secrets.set(MASTER_KEY_ACCOUNT, JSON.stringify(item))
  }

  private async read(): Promise<(StoredMasterKey & { keyBytes: Uint8Array; raw: string }) | null> {
    const raw = await this.secrets.get(MASTER_KEY_ACCOUNT)
    if (raw === null) return null
    const item = parseStored(raw)
    this.options.known?.add(item.key)
    return { ...item, keyBytes: Buffer.from(item.key, 'hex'), raw }
  }
}

function noMasterKey(): CairnError {
  return new CairnError(
    'not_configured',
    'There is no master key in the keychain yet. Create a repository (which creates one), or ' +
      'import your recovery key from the machine that made your backups.',
  )
}

function parseStored(raw: string): StoredMasterKey {
  const trimmed = raw.trim()
  // A bare hex key (put there by hand or by a script) is accepted as it is.
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    return {
      format: 'cairn-master-key',
      version: 1,
      key: trimmed.toLowerCase(),
      created: new Date(0).toISOString(),
      origin: 'imported',
      recoveryShownAt: null,
    }
  }
  let value: Partial<StoredMasterKey> | null
  try {
    value = JSON.parse(trimmed) as Partial<StoredMasterKey>
  } catch {
    value = null
  }
  if (
    !value ||
    value.format !== 'cairn-master-key' ||
    value.version !== 1 ||
    typeof value.key !== 'string' ||
    !new RegExp(`^[0-9a-f]{${MASTER_KEY_LENGTH * 2}}$`).test(value.key)
  ) {
    // Never overwrite it: it may be the only copy of a key.
    throw new CairnError(
      'internal',
      `The keychain entry "${MASTER_KEY_ACCOUNT}" is not a master key Cairn can read (it may be from a newer Cairn). Cairn leaves it untouched.`,
    )
  }
  return {
    format: 'cairn-master-key',
    version: 1,
    key: value.key,
    created: typeof value.created === 'string' ? value.created : new Date(0).toISOString(),
    origin: value.origin === 'generated' ? 'generated' : 'imported',
    recoveryShownAt: typeof value.recoveryShownAt === 'string' ? value.recoveryShownAt : null,
  }
}
