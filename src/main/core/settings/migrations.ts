/** The settings file format this build writes. Bump it together with a migration below. */
export const SETTINGS_SCHEMA_VERSION = 1

/**
 * `migrations[n]` turns a version-n document into a version-(n+1) document. Each one is a pure
 * function of the raw JSON, so an old file is brought forward step by step and validated only at
 * the end. Version 1 is the first format, so there is nothing to migrate yet.
 */
export const migrations: Record<number, (doc: Record<string, unknown>) => Record<string, unknown>> =
  {}

export class NewerSchemaError extends Error {}

/** Brings a parsed document to the current version; refuses one from a newer Cairn. */
export function migrate(doc: Record<string, unknown>, fileName: string): Record<string, unknown> {
  const raw = doc.schemaVersion
  const version = raw === undefined ? 1 : raw
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new Error(`${fileName} has an invalid schemaVersion`)
  }
  if (version > SETTINGS_SCHEMA_VERSION) {
    throw new NewerSchemaError(
      `${fileName} was written by a newer version of Cairn (format ${version}; this version reads up to ${SETTINGS_SCHEMA_VERSION}). ` +
        'Update Cairn to use these settings. Cairn left the file untouched.',
    )
  }
  let current = doc
  for (let v = version; v < SETTINGS_SCHEMA_VERSION; v++) {
    const step = migrations[v]
    if (!step) throw new Error(`no migration from settings format ${v}`)
    current = { ...step(current), schemaVersion: v + 1 }
  }
  return current
}
