import { CairnError } from '../../../shared/errors'

/**
 * Workspace paths as given by the user: absolute, without NUL, trailing slashes removed, no
 * duplicates and none inside another (that would list and store the same files twice).
 */
export function normalizeRoots(roots: readonly string[]): string[] {
  if (roots.length === 0)
    throw new CairnError('invalid_input', 'Name at least one path to back up.')
  const out: string[] = []
  for (const root of roots) {
    if (!root.startsWith('/') || root.includes('\0')) {
      throw new CairnError('invalid_input', `The path "${root}" must be absolute, like /home/dev.`)
    }
    const clean = root === '/' ? '/' : root.replace(/\/+$/, '') || '/'
    if (out.includes(clean)) continue
    out.push(clean)
  }
  for (const a of out) {
    for (const b of out) {
      if (a !== b && (b === '/' || a.startsWith(`${b}/`))) {
        throw new CairnError(
          'invalid_input',
          `The path ${a} is already inside ${b}; name only ${b}.`,
        )
      }
    }
  }
  return out
}

/** The absolute path of an entry: its starting point joined with its relative path. */
export function joinRoot(root: string, relPath: Buffer): Buffer {
  if (relPath.length === 0) return Buffer.from(root, 'utf8')
  return Buffer.concat([Buffer.from(root === '/' ? '/' : `${root}/`, 'utf8'), relPath])
}
