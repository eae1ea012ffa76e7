import { readFile } from 'node:fs/promises'
import type { z } from 'zod'
import { CairnError } from '../../../shared/errors'

export interface VersionedJsonFile<S extends z.ZodType> {
  path: string
  schema: S
  /** The newest schemaVersion this Cairn writes; a file with a higher one is refused. */
  version: number
  /** For people: "its workspace list", "its schedules file". */
  what: string
  /** The error for a file that is not valid JSON or does not match the schema. */
  damaged: () => CairnError
}

/**
 * Reads one of Cairn's own schema-versioned JSON files (written with atomicWriteFile): null when
 * it does not exist yet; refused (`conflict`) when a newer Cairn wrote it, so this version never
 * overwrites what it does not understand; the file's own `damaged` error when it does not parse.
 */
export async function readVersionedJson<S extends z.ZodType>(
  file: VersionedJsonFile<S>,
): Promise<z.output<S> | null> {
  let text: string
  try {
    text = await readFile(file.path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new CairnError('internal', `Cairn could not read ${file.what} ${file.path}.`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    throw file.damaged()
  }
  const version = (doc as { schemaVersion?: unknown } | null)?.schemaVersion
  if (typeof version === 'number' && version > file.version) {
    throw new CairnError(
      'conflict',
      `${file.path} was written by a newer Cairn. Update Cairn; this version leaves it untouched.`,
    )
  }
  const parsed = file.schema.safeParse(doc)
  if (!parsed.success) throw file.damaged()
  return parsed.data
}
