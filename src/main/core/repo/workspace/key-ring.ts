import type { DataKey } from '../../keys/workspace-key-file'
import { deriveGearTable } from '../chunker/gear'
import { aeadKey, type AeadKey } from '../crypto/aead'
import { hkdf, KDF_INFO } from '../crypto/kdf'

/** Everything derived from one data key version; derivations are cached. */
export class KeyMaterial {
  readonly version: number
  readonly created: string
  readonly dataKey: Buffer
  readonly idKey: Buffer
  private gearTable: Int32Array | null = null
  private readonly packKeys = new Map<string, AeadKey>()

  constructor(key: DataKey) {
    this.version = key.version
    this.created = key.created
    this.dataKey = Buffer.from(key.key)
    this.idKey = hkdf(this.dataKey, null, KDF_INFO.blobId)
  }

  get gear(): Int32Array {
    this.gearTable ??= deriveGearTable(this.dataKey)
    return this.gearTable
  }

  /** AEAD key of the pack with this salt (a small cache: readers touch the same packs repeatedly). */
  packKey(salt: Uint8Array): AeadKey {
    const name = Buffer.from(salt).toString('hex')
    let key = this.packKeys.get(name)
    if (!key) {
      key = aeadKey(hkdf(this.dataKey, salt, KDF_INFO.pack))
      if (this.packKeys.size >= 256) this.packKeys.delete(this.packKeys.keys().next().value!)
      this.packKeys.set(name, key)
    }
    return key
  }
}

/** The data key versions of a workspace; new data always uses the newest. */
export class KeyRing {
  private readonly byVersion = new Map<number, KeyMaterial>()
  readonly current: KeyMaterial

  constructor(keys: readonly DataKey[]) {
    if (keys.length === 0) throw new Error('a key ring needs at least one key')
    let newest: KeyMaterial | null = null
    for (const key of keys) {
      const material = new KeyMaterial(key)
      this.byVersion.set(key.version, material)
      if (!newest || material.version > newest.version) newest = material
    }
    this.current = newest!
  }

  get(version: number): KeyMaterial | undefined {
    return this.byVersion.get(version)
  }

  get versions(): number[] {
    return [...this.byVersion.keys()].sort((a, b) => a - b)
  }
}
