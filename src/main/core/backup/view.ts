/**
 * Parses a path in display syntax (names as `displayName` shows them: `\xNN` for a byte, `\\` for
 * a backslash, '/' between names) back into raw name bytes. Empty components and '.' are dropped.
 */
export function parseDisplayPath(path: string): Buffer[] {
  void path
  throw new Error('not implemented yet')
}
