import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import { CairnError } from '../../../shared/errors'

const MAX_TRIES = 1000

/** `name (n).ext` for files (the extension stays last, as browsers do), `name (n)` for folders. */
export function numberedName(name: string, n: number, type: 'file' | 'dir'): string {
  if (n === 1) return name
  const dot = type === 'file' ? name.lastIndexOf('.') : -1
  if (dot <= 0) return `${name} (${n})`
  return `${name.slice(0, dot)} (${n})${name.slice(dot)}`
}

/**
 * Reserves a name in `folder` nobody uses: an empty folder (mkdir) or an empty file (create-only
 * open), so a second download, or a file appearing meanwhile, can never be replaced. The caller
 * later renames its result over the reservation, or removes it when the download fails.
 */
export async function reserveUniqueName(
  folder: string,
  name: string,
  type: 'file' | 'dir',
): Promise<string> {
  for (let n = 1; n <= MAX_TRIES; n++) {
    const candidate = join(folder, numberedName(name, n, type))
    try {
      if (type === 'dir') await mkdir(candidate, { mode: 0o700 })
      else await (await open(candidate, 'wx', 0o600)).close()
      return candidate
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue
      throw new CairnError(
        'invalid_input',
        `Cairn cannot write into ${folder}: ${(error as NodeJS.ErrnoException).code ?? 'an error'}. Choose another folder.`,
      )
    }
  }
  throw new CairnError(
    'conflict',
    `${folder} already holds ${MAX_TRIES} copies of ${name}. Choose another folder.`,
  )
}
