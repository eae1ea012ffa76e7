import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { idleSettingsSchema, type IdleSettings } from '../../../shared/domain/idle'
import { CairnError } from '../../../shared/errors'
import { atomicWriteFile } from '../fs/atomic-write'

export const IDLE_SETTINGS_FILE = 'idle-settings.json'
const SCHEMA_VERSION = 1

export const DEFAULT_IDLE_SETTINGS: IdleSettings = { stopAllOnQuit: false }

/**
 * The idle settings that are not per workspace, in `<dataDir>/idle-settings.json`
 * (`{ "schemaVersion": 1, "stopAllOnQuit": false }`), written atomically. Kept apart from
 * settings.json so the settings schema (and its tests) stay untouched until the UI needs them.
 */
export class IdleSettingsStore {
  readonly path: string
  private cached: IdleSettings | null = null
  private queue: Promise<unknown> = Promise.resolve()

  constructor(dataDir: string) {
    this.path = join(dataDir, IDLE_SETTINGS_FILE)
  }

  async get(): Promise<IdleSettings> {
    if (this.cached) return this.cached
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ...DEFAULT_IDLE_SETTINGS }
      throw new CairnError('internal', `Cairn could not read ${this.path}.`)
    }
    try {
      const doc = JSON.parse(text) as Record<string, unknown>
      if (typeof doc.schemaVersion === 'number' && doc.schemaVersion > SCHEMA_VERSION) {
        throw new CairnError(
          'conflict',
          `${this.path} was written by a newer Cairn. Update Cairn to change idle settings.`,
        )
      }
      const { schemaVersion: _v, ...fields } = doc
      void _v
      this.cached = idleSettingsSchema.parse({ ...DEFAULT_IDLE_SETTINGS, ...fields })
      return this.cached
    } catch (error) {
      if (error instanceof CairnError) throw error
      throw new CairnError(
        'internal',
        `${this.path} is damaged. Move it aside; Cairn then uses the default idle settings.`,
      )
    }
  }

  update(change: Partial<IdleSettings>): Promise<IdleSettings> {
    const run = async () => {
      const next = idleSettingsSchema.parse({ ...(await this.get()), ...change })
      await atomicWriteFile(
        this.path,
        JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...next }, null, 2) + '\n',
      )
      this.cached = next
      return next
    }
    const result = this.queue.then(run, run)
    this.queue = result.catch(() => {})
    return result
  }
}

export interface RunningWorkspace {
  id: string
  running: boolean
  /** False for machines Cairn must never stop (an existing SSH host stays as it is). */
  stoppable: boolean
}

/** The workspaces to stop when Cairn quits: every running, stoppable one, if the user asked. */
export function workspacesToStopOnQuit(
  settings: IdleSettings,
  workspaces: readonly RunningWorkspace[],
): string[] {
  if (!settings.stopAllOnQuit) return []
  return workspaces.filter((w) => w.running && w.stoppable).map((w) => w.id)
}
