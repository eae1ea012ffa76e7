import type { Source } from './source'

/** A folder on this computer as a backup source (`cairn backup --from /path`, tests). */
export function localSource(): Source {
  throw new Error('not implemented yet')
}
