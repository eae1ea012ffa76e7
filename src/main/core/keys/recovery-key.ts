import { createHash } from 'node:crypto'
import { CairnError } from '../../../shared/errors'
import { bytesToSymbols, CROCKFORD_ALPHABET, crockfordValue, symbolsToBytes } from './crockford'
import { gf32Multiply, gf32Power } from './gf32'
import { MASTER_KEY_LENGTH } from './master-key'

/**
 * The recovery key: the 32-byte master key as 13 groups of 5 Crockford base32 characters,
 * e.g. `7F3QK-0BZ9M-…`. In each group the first 4 characters carry data (20 bits) and the 5th is a
 * check character over the group's data and its position, so a typo is pinned to its group.
 * 13 x 4 = 52 data characters = 260 bits: the 256 key bits, then 4 bits of SHA-256 over the key
 * that catch what the per-group checks miss (two errors in one group, groups out of order).
 *
 * Parsing folds case, ignores spaces, dashes, dots and underscores, reads O as 0 and I/L as 1,
 * and also accepts the key as 64 hexadecimal digits.
 */
export const RECOVERY_GROUPS = 13
const DATA_PER_GROUP = 4
const GROUP_LENGTH = DATA_PER_GROUP + 1
export const RECOVERY_KEY_LENGTH = RECOVERY_GROUPS * GROUP_LENGTH
const DATA_SYMBOLS = RECOVERY_GROUPS * DATA_PER_GROUP
const WEIGHTS = [1, 2, 3, 4].map((k) => gf32Power(k))

function checkSymbol(group: number, data: readonly number[]): number {
  // The group number (1-based) enters with weight 1, like the check symbol itself.
  let sum = group + 1
  for (let i = 0; i < DATA_PER_GROUP; i++) sum ^= gf32Multiply(WEIGHTS[i]!, data[i]!)
  return sum
}

function keyChecksum(key: Uint8Array): number {
  return createHash('sha256').update('cairn recovery key v1').update(key).digest()[0]! >> 4
}

export function formatRecoveryKey(masterKey: Uint8Array): string {
  if (masterKey.length !== MASTER_KEY_LENGTH) throw new RangeError('master keys are 32 bytes')
  const symbols = bytesToSymbols(masterKey, DATA_SYMBOLS)
  // 256 bits fill 51 symbols and 1 bit of the 52nd; its 4 low bits are the checksum.
  symbols[DATA_SYMBOLS - 1] = (symbols[DATA_SYMBOLS - 1]! & 0b10000) | keyChecksum(masterKey)
  const groups: string[] = []
  for (let g = 0; g < RECOVERY_GROUPS; g++) {
    const data = symbols.slice(g * DATA_PER_GROUP, (g + 1) * DATA_PER_GROUP)
    const text = [...data, checkSymbol(g, data)].map((s) => CROCKFORD_ALPHABET[s]).join('')
    groups.push(text)
  }
  return groups.join('-')
}

function invalid(message: string): CairnError {
  return new CairnError('invalid_input', message)
}

/**
 * The master key from a recovery key (or 64 hex digits). Throws `invalid_input` with a message
 * that says what looks wrong, and where, without echoing the whole key.
 */
export function parseRecoveryKey(text: string): Uint8Array {
  const compact = text.replace(/[\s\-_.]/g, '')
  if (/^[0-9a-fA-F]{64}$/.test(compact)) return Buffer.from(compact, 'hex')
  if (compact.length === 0) throw invalid('The recovery key is empty.')
  const symbols: number[] = []
  for (let i = 0; i < compact.length; i++) {
    const value = crockfordValue(compact[i]!)
    if (value === undefined) {
      const group = Math.floor(i / GROUP_LENGTH) + 1
      throw invalid(
        `"${compact[i]}" cannot appear in a recovery key (group ${group}). Recovery keys use the digits and the letters A-Z without U.`,
      )
    }
    symbols.push(value)
  }
  if (symbols.length !== RECOVERY_KEY_LENGTH) {
    throw invalid(
      `A recovery key has ${RECOVERY_KEY_LENGTH} characters in ${RECOVERY_GROUPS} groups of ${GROUP_LENGTH} (or is 64 hexadecimal digits); this one has ${symbols.length}. Check for a missing or extra character or group.`,
    )
  }
  const data: number[] = []
  const badGroups: number[] = []
  for (let g = 0; g < RECOVERY_GROUPS; g++) {
    const group = symbols.slice(g * GROUP_LENGTH, (g + 1) * GROUP_LENGTH)
    const groupData = group.slice(0, DATA_PER_GROUP)
    if (checkSymbol(g, groupData) !== group[DATA_PER_GROUP]) badGroups.push(g + 1)
    data.push(...groupData)
  }
  if (badGroups.length > 0) {
    const shown = (n: number) =>
      `${n} ("${compact.slice((n - 1) * GROUP_LENGTH, n * GROUP_LENGTH).toUpperCase()}")`
    throw invalid(
      badGroups.length === 1
        ? `Group ${shown(badGroups[0]!)} of the recovery key looks mistyped. Compare it with your copy.`
        : `Groups ${badGroups.join(', ')} of the recovery key look mistyped. Compare them with your copy.`,
    )
  }
  const { bytes, rest, restBits } = symbolsToBytes(data, MASTER_KEY_LENGTH)
  if (restBits !== 4 || rest !== keyChecksum(bytes)) {
    throw invalid(
      'Every group of the recovery key looks right, but its checksum does not match. Check that the groups are in the right order and that no two characters are swapped.',
    )
  }
  return bytes
}
