/**
 * Crockford's base32 alphabet: digits and upper-case letters without I, L, O and U, so that
 * 0/O and 1/I/L cannot be confused when a person types a code back.
 */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

const VALUES = new Map<string, number>()
for (let i = 0; i < CROCKFORD_ALPHABET.length; i++) VALUES.set(CROCKFORD_ALPHABET[i]!, i)
// Read the look-alikes as what the person meant.
VALUES.set('O', 0)
VALUES.set('I', 1)
VALUES.set('L', 1)

/** The 5-bit value of a character (case-insensitive, look-alikes folded), or undefined. */
export function crockfordValue(char: string): number | undefined {
  return VALUES.get(char.toUpperCase())
}

/** Bytes -> 5-bit symbols, most significant bit first; the last symbol is zero-padded. */
export function bytesToSymbols(bytes: Uint8Array, symbolCount: number): number[] {
  const symbols: number[] = []
  let accumulator = 0
  let bits = 0
  for (const byte of bytes) {
    accumulator = ((accumulator << 8) | byte) & 0xffff
    bits += 8
    while (bits >= 5) {
      symbols.push((accumulator >> (bits - 5)) & 31)
      bits -= 5
    }
  }
  if (bits > 0) symbols.push((accumulator << (5 - bits)) & 31)
  while (symbols.length < symbolCount) symbols.push(0)
  return symbols.slice(0, symbolCount)
}

/** 5-bit symbols -> `byteCount` bytes, most significant bit first; extra bits are returned apart. */
export function symbolsToBytes(
  symbols: readonly number[],
  byteCount: number,
): { bytes: Buffer; rest: number; restBits: number } {
  const bytes = Buffer.alloc(byteCount)
  let accumulator = 0
  let bits = 0
  let index = 0
  let rest = 0
  let restBits = 0
  for (const symbol of symbols) {
    accumulator = ((accumulator << 5) | symbol) & 0xffff
    bits += 5
    while (bits >= 8 && index < byteCount) {
      bytes[index++] = (accumulator >> (bits - 8)) & 0xff
      bits -= 8
    }
    if (index === byteCount) {
      rest = (rest << bits) | (accumulator & ((1 << bits) - 1))
      restBits += bits
      bits = 0
      accumulator = 0
    }
  }
  return { bytes, rest, restBits }
}
