import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CairnError } from '../../../shared/errors'
import { settingsSchema, type Settings } from '../../../shared/domain/settings'
import { atomicWriteFile } from '../fs/atomic-write'
import { looksLikeHetznerToken } from '../logging/redact'
import type { KnownSecrets } from '../secrets/known-secrets'
import { migrate, NewerSchemaError, SETTINGS_SCHEMA_VERSION } from './migrations'

export const SETTINGS_FILE = 'settings.json'

export interface SettingsStoreOptions {
  dataDir: string
  /** Secret values the process knows; a file containing one is never written. */
  known?: KnownSecrets
}

/**
 * The user's settings in `<dataDir>/settings.json`: `{ "schemaVersion": 1, ...settings }`, read once
 * and then served from memory, written atomically on every change. Never holds a secret.
 *
 * A file Cairn cannot read (newer format, damaged) is never overwritten: every call reports the
 * problem until the user deals with it, so settings from a newer Cairn are not clobbered.
 */
export class SettingsStore {
  readonly path: string
  private readonly known: KnownSecrets | undefined
  private loaded: Promise<Settings> | null = null
  private queue: Promise<unknown> = Promise.resolve()

  constructor(options: SettingsStoreOptions) {
    this.path = join(options.dataDir, SETTINGS_FILE)
    this.known = options.known
  }

  get(): Promise<Settings> {
    this.loaded ??= this.load()
    // A failed load is retried on the next call: the user may have fixed the file meanwhile.
    return this.loaded.catch((error: unknown) => {
      this.loaded = null
      throw error
    })
  }

  /** Applies `change` to the current settings and writes the result; changes run one at a time. */
  update(change: (current: Settings) => Settings): Promise<Settings> {
    const run = async () => {
      const next = settingsSchema.parse(change(await this.get()))
      await this.write(next)
      this.loaded = Promise.resolve(next)
      return next
    }
    const result = this.queue.then(run, run)
    this.queue = result.catch(() => {})
    return result
  }

  private async load(): Promise<Settings> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return settingsSchema.parse({})
      throw new CairnError(
        'internal',
        `Cairn could not read ${this.path}: ${(error as Error).message}`,
      )
    }
    try {
      const doc: unknown = JSON.parse(text)
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not an object')
      const current = migrate(doc as Record<string, unknown>, SETTINGS_FILE)
      const { schemaVersion: _version, ...fields } = current
      void _version
      return settingsSchema.parse(fields)
    } catch (error) {
      if (error instanceof NewerSchemaError) throw new CairnError('conflict', error.message)
      throw new CairnError(
        'internal',
        `${this.path} is damaged and Cairn will not overwrite it. Move it aside (Cairn then starts with default settings) or restore it from a backup.`,
      )
    }
  }

  private async write(settings: Settings): Promise<void> {
    const text =
      JSON.stringify({ schemaVersion: SETTINGS_SCHEMA_VERSION, ...settings }, null, 2) + '\n'
    assertNoSecret(text, this.known)
    await atomicWriteFile(this.path, text)
  }
}

/**
 * The last line of defence: settings have no field for a secret, but a bug (or a user pasting a
 * token into the wrong box) could still put one there. Refuse rather than write it to disk.
 */
export function assertNoSecret(text: string, known: KnownSecrets | undefined): void {
  if (known?.occursIn(text) || looksLikeHetznerToken(text)) {
    throw new CairnError(
      'invalid_input',
      'That looks like a secret (an API token or key). Cairn keeps secrets only in the system keychain, never in its settings file; enter it in the field meant for it.',
    )
  }
}
