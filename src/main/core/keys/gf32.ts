/**
 * Arithmetic in GF(32) with the primitive polynomial x^5 + x^2 + 1. A check symbol that is a
 * weighted sum with distinct non-zero weights over a field catches every single substitution and
 * every swap of two neighbouring symbols, which a plain sum mod 32 does not.
 */
export function gf32Multiply(a: number, b: number): number {
  let product = 0
  let x = a
  let y = b
  while (y > 0) {
    if (y & 1) product ^= x
    y >>= 1
    x <<= 1
    if (x & 32) x ^= 0b100101
  }
  return product
}

/** alpha^k for the generator alpha = x (= 2). */
export function gf32Power(k: number): number {
  let value = 1
  for (let i = 0; i < k; i++) value = gf32Multiply(value, 2)
  return value
}
