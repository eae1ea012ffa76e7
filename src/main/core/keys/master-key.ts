import { randomBytes } from 'node:crypto'
import { CairnError } from '../../../shared/errors'

/** The master key: 256 random bits. It unlocks every workspace key of a repository. */
export const MASTER_KEY_LENGTH = 32

export function generateMasterKey(): Uint8Array {
  return randomBytes(MASTER_KEY_LENGTH)
}

export function masterKeyToHex(key: Uint8Array): string {
  assertMasterKey(key)
  return Buffer.from(key).toString('hex')
}

export function assertMasterKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== MASTER_KEY_LENGTH) {
    throw new CairnError('invalid_input', 'A master key is 32 bytes.')
  }
}
