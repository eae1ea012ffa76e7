import { hkdf, KDF_INFO } from '../crypto/kdf'

/**
 * The gear table (256 random 32-bit values) comes from the workspace data key, like restic's
 * per-repository polynomial: chunk boundaries then depend on a secret, so the sizes of stored
 * chunks do not let someone without the key confirm that a known file is in the repository.
 */
export function deriveGearTable(dataKey: Uint8Array): Int32Array {
  const bytes = hkdf(dataKey, null, KDF_INFO.chunkerGear, 1024)
  const table = new Int32Array(256)
  for (let i = 0; i < 256; i++) table[i] = bytes.readInt32LE(i * 4)
  return table
}
