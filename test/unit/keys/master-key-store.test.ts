import { describe, expect, it } from 'vitest'
import { formatRecoveryKey, parseRecoveryKey } from '../../../src/main/core/keys/recovery-key'
import {
  MASTER_KEY_ACCOUNT,
  MasterKeyStore,
  masterKeyId,
  replacedMasterKeyAccount,
} from '../../../src/main/core/keys/master-key-store'
import { generateMasterKey } from '../../../src/main/core/keys/master-key'
import { KnownSecrets } from '../../../src/main/core/secrets/known-secrets'
import { MemorySecretStore } from '../../../src/main/core/secrets/memory-secret-store'
import { CairnError } from '../../../src/shared/errors'

async function caught(promise: Promise<unknown>): Promise<CairnError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError)
    return error as CairnError
  }
  throw new Error('expected a CairnError')
}

describe('MasterKeyStore', () => {
  it('creates a 256-bit key on first use, only in the keychain, and returns the same one after', async () => {
    const secrets = new MemorySecretStore()
    const store = new MasterKeyStore(secrets)
    expect(await store.get()).toBeNull()
    expect((await store.status()).present).toBe(false)
    const first = await store.getOrCreate()
    expect(first.created).toBe(true)
    expect(first.key).toHaveLength(32)
    const again = await store.getOrCreate()
    expect(again.created).toBe(false)
    expect(Buffer.from(again.key).equals(Buffer.from(first.key))).toBe(true)
    expect([...secrets.values.keys()]).toEqual([MASTER_KEY_ACCOUNT])
    const status = await store.status()
    expect(status).toMatchObject({
      present: true,
      keyId: masterKeyId(first.key),
      origin: 'generated',
      recoveryShownAt: null,
    })
  })

  it('require() says what to do when there is no key', async () => {
    const error = await caught(new MasterKeyStore(new MemorySecretStore()).require())
    expect(error.code).toBe('not_configured')
    expect(error.message).toMatch(/recovery key/)
  })

  it('shows the recovery key once; showing it again needs `again`', async () => {
    let t = 0
    const store = new MasterKeyStore(new MemorySecretStore(), {
      now: () => new Date(Date.UTC(2030, 0, 1, 0, 0, t++)),
    })
    const { key } = await store.getOrCreate()
    const shown = await store.exportRecovery()
    expect(shown.recoveryKey).toBe(formatRecoveryKey(key))
    expect(shown.previouslyShownAt).toBeNull()
    expect((await store.status()).recoveryShownAt).not.toBeNull()
    const refused = await caught(store.exportRecovery())
    expect(refused.code).toBe('conflict')
    expect(refused.message).not.toContain(shown.recoveryKey)
    const again = await store.exportRecovery({ again: true })
    expect(again.recoveryKey).toBe(shown.recoveryKey)
    expect(again.previouslyShownAt).not.toBeNull()
  })

  it('export without a key is not_configured', async () => {
    const error = await caught(new MasterKeyStore(new MemorySecretStore()).exportRecovery())
    expect(error.code).toBe('not_configured')
  })

  it('imports a recovery key or hex into an empty keychain and round-trips', async () => {
    const key = generateMasterKey()
    const a = new MasterKeyStore(new MemorySecretStore())
    const result = await a.importRecovery(formatRecoveryKey(key).toLowerCase().replace(/-/g, ' '))
    expect(result).toEqual({ keyId: masterKeyId(key), unchanged: false, replacedKeyId: null })
    expect(Buffer.from((await a.require()) as Uint8Array).equals(Buffer.from(key))).toBe(true)
    expect((await a.status()).origin).toBe('imported')
    const b = new MasterKeyStore(new MemorySecretStore())
    await b.importRecovery(Buffer.from(key).toString('hex'))
    expect((await b.status()).keyId).toBe(masterKeyId(key))
  })

  it('refuses a mistyped recovery key and stores nothing', async () => {
    const secrets = new MemorySecretStore()
    const code = formatRecoveryKey(generateMasterKey())
    const typo = (code[0] === 'A' ? 'B' : 'A') + code.slice(1)
    const error = await caught(new MasterKeyStore(secrets).importRecovery(typo))
    expect(error.code).toBe('invalid_input')
    expect(error.message).toMatch(/group 1/i)
    expect(secrets.values.size).toBe(0)
  })

  it('importing the same key is a no-op; a different key needs replace and keeps the old one', async () => {
    const secrets = new MemorySecretStore()
    const store = new MasterKeyStore(secrets)
    const { key: old } = await store.getOrCreate()
    expect(await store.importRecovery(formatRecoveryKey(old))).toMatchObject({ unchanged: true })

    const other = generateMasterKey()
    const refused = await caught(store.importRecovery(formatRecoveryKey(other)))
    expect(refused.code).toBe('conflict')
    expect(refused.details).toMatchObject({ existingKeyId: masterKeyId(old) })
    expect(Buffer.from((await store.require()) as Uint8Array).equals(Buffer.from(old))).toBe(true)

    const replaced = await store.importRecovery(formatRecoveryKey(other), { replace: true })
    expect(replaced.replacedKeyId).toBe(masterKeyId(old))
    expect(Buffer.from(await store.require()).equals(Buffer.from(other))).toBe(true)
    const kept = secrets.values.get(replacedMasterKeyAccount(masterKeyId(old)))
    expect(kept).toContain(Buffer.from(old).toString('hex'))
  })

  it('runs the check before storing, and stores nothing when it fails', async () => {
    const secrets = new MemorySecretStore()
    const store = new MasterKeyStore(secrets)
    const key = generateMasterKey()
    const error = await caught(
      store.importRecovery(formatRecoveryKey(key), {
        check: async () => {
          throw new CairnError('unauthorized', 'does not open')
        },
      }),
    )
    expect(error.code).toBe('unauthorized')
    expect(secrets.values.size).toBe(0)
  })

  it('registers the key, its hex and its recovery code as known secrets', async () => {
    const known = new KnownSecrets()
    const store = new MasterKeyStore(new MemorySecretStore(), { known })
    const { key } = await store.getOrCreate()
    const { recoveryKey } = await store.exportRecovery()
    expect(known.occursIn(`x ${Buffer.from(key).toString('hex')} y`)).toBe(true)
    expect(known.occursIn(`x ${recoveryKey} y`)).toBe(true)
  })

  it('accepts a bare hex key put in the keychain by hand, and leaves unreadable entries alone', async () => {
    const secrets = new MemorySecretStore()
    const key = generateMasterKey()
    secrets.values.set(MASTER_KEY_ACCOUNT, Buffer.from(key).toString('hex'))
    const store = new MasterKeyStore(secrets)
    expect(Buffer.from((await store.require()) as Uint8Array).equals(Buffer.from(key))).toBe(true)

    secrets.values.set(MASTER_KEY_ACCOUNT, '{"format":"cairn-master-key","version":2}')
    const error = await caught(store.getOrCreate())
    expect(error.message).toMatch(/leaves it untouched/)
    expect(secrets.values.get(MASTER_KEY_ACCOUNT)).toContain('"version":2')
  })

  it('the key id is stable and reveals nothing of the recovery key', () => {
    const key = parseRecoveryKey('00'.repeat(32))
    expect(masterKeyId(key)).toMatch(/^[0-9a-f]{16}$/)
    expect(masterKeyId(key)).toBe(masterKeyId(Buffer.alloc(32)))
  })
})
