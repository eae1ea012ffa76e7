import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { CROCKFORD_ALPHABET } from '../../../src/main/core/keys/crockford'
import { generateMasterKey, masterKeyToHex } from '../../../src/main/core/keys/master-key'
import {
  formatRecoveryKey,
  parseRecoveryKey,
  RECOVERY_KEY_LENGTH,
} from '../../../src/main/core/keys/recovery-key'
import { CairnError } from '../../../src/shared/errors'

function parseError(text: string): CairnError {
  try {
    parseRecoveryKey(text)
  } catch (error) {
    expect(error).toBeInstanceOf(CairnError)
    expect((error as CairnError).code).toBe('invalid_input')
    return error as CairnError
  }
  throw new Error(`expected ${text} to be refused`)
}

describe('recovery key', () => {
  it('round-trips random keys and has 13 dash-separated groups of 5', () => {
    for (let i = 0; i < 200; i++) {
      const key = generateMasterKey()
      const code = formatRecoveryKey(key)
      expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{5}-){12}[0-9A-HJKMNP-TV-Z]{5}$/)
      expect(Buffer.from(parseRecoveryKey(code)).equals(Buffer.from(key))).toBe(true)
    }
  })

  it('round-trips the all-zero and all-one keys', () => {
    for (const key of [Buffer.alloc(32), Buffer.alloc(32, 0xff)]) {
      expect(Buffer.from(parseRecoveryKey(formatRecoveryKey(key))).equals(key)).toBe(true)
    }
  })

  it('tolerates case, spaces, missing dashes and O/I/L look-alikes', () => {
    const key = randomBytes(32)
    const code = formatRecoveryKey(key)
    const sloppy = code.toLowerCase().replaceAll('-', ' ').replaceAll('0', 'o').replaceAll('1', 'l')
    expect(Buffer.from(parseRecoveryKey(` ${sloppy}\n`)).equals(key)).toBe(true)
    expect(Buffer.from(parseRecoveryKey(code.replaceAll('-', ''))).equals(key)).toBe(true)
  })

  it('accepts 64 hex digits', () => {
    const key = randomBytes(32)
    expect(Buffer.from(parseRecoveryKey(masterKeyToHex(key))).equals(key)).toBe(true)
    expect(Buffer.from(parseRecoveryKey(masterKeyToHex(key).toUpperCase())).equals(key)).toBe(true)
  })

  it('names the group of every single-character typo', () => {
    const key = randomBytes(32)
    const compact = formatRecoveryKey(key).replaceAll('-', '')
    expect(compact.length).toBe(RECOVERY_KEY_LENGTH)
    for (let position = 0; position < compact.length; position++) {
      for (const replacement of CROCKFORD_ALPHABET) {
        if (replacement === compact[position]) continue
        const typo = compact.slice(0, position) + replacement + compact.slice(position + 1)
        const error = parseError(typo)
        expect(error.message).toContain(`Group ${Math.floor(position / 5) + 1} (`)
      }
    }
  })

  it('catches every swap of two neighbouring characters', () => {
    const key = randomBytes(32)
    const compact = formatRecoveryKey(key).replaceAll('-', '')
    for (let position = 0; position + 1 < compact.length; position++) {
      if (compact[position] === compact[position + 1]) continue
      const swapped =
        compact.slice(0, position) +
        compact[position + 1] +
        compact[position] +
        compact.slice(position + 2)
      expect(() => parseRecoveryKey(swapped)).toThrow(CairnError)
    }
  })

  it('catches two groups in the wrong order', () => {
    const groups = formatRecoveryKey(randomBytes(32)).split('-')
    ;[groups[3], groups[4]] = [groups[4]!, groups[3]!]
    expect(parseError(groups.join('-')).message).toMatch(/Groups 4, 5/)
  })

  it('explains a wrong length and a character that is never used', () => {
    const code = formatRecoveryKey(randomBytes(32))
    expect(parseError(code.slice(0, -6)).message).toMatch(
      /65 characters in 13 groups of 5.*this one has 60/,
    )
    expect(parseError(`${code.slice(0, 7)}U${code.slice(8)}`).message).toMatch(
      /"U" cannot appear in a recovery key \(group 2\)/,
    )
    expect(parseError('').message).toMatch(/empty/)
  })

  it('does not echo the whole key in its messages', () => {
    const code = formatRecoveryKey(randomBytes(32))
    const typo = `${code.slice(0, 20)}${code[20] === 'A' ? 'B' : 'A'}${code.slice(21)}`
    const message = parseError(typo).message
    expect(message).not.toContain(code.replaceAll('-', '').slice(0, 20))
  })
})
