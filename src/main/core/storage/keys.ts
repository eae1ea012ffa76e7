import { CairnError } from '../../../shared/errors'

/**
 * Object keys are relative, '/'-separated paths of non-empty segments. Rejecting '..', '.',
 * absolute paths, backslashes and NUL keeps a key from escaping a folder store's root on any OS,
 * and keeps S3 and folder stores interchangeable.
 */
export function assertValidKey(key: string): void {
  const bad = (why: string) => new CairnError('invalid_input', `Invalid object key (${why}).`)
  if (key.length === 0) throw bad('empty')
  if (key.length > 1024) throw bad('longer than 1024 characters')
  if (key.includes('\0')) throw bad('contains NUL')
  if (key.includes('\\')) throw bad('contains a backslash')
  if (key.startsWith('/')) throw bad('absolute')
  if (/^[A-Za-z]:/.test(key)) throw bad('has a drive letter')
  for (const segment of key.split('/')) {
    if (segment === '') throw bad('empty path segment')
    if (segment === '.' || segment === '..') throw bad(`contains "${segment}"`)
  }
}

/** A list prefix may be empty or end in '/' or mid-name, but must otherwise be a valid key. */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return
  assertValidKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix)
}

/** Byte-wise (UTF-8) comparison, the order S3 lists keys in. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}
