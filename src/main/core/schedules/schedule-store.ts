import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import {
  type RetentionPolicy,
  type ScheduleDefaults,
  retentionPolicySchema,
  retentionRunSchema,
  scheduledRunSchema,
  verifyRunResultSchema,
} from '../../../shared/domain/schedules'
import { CairnError } from '../../../shared/errors'
import { atomicWriteFile } from '../fs/atomic-write'
import { readVersionedJson } from '../fs/versioned-json'

export const SCHEDULES_FILE = 'schedules.json'
/** 2 added `defaults`; a version 1 file (no defaults: Cairn's own) reads as it is. */
const SCHEMA_VERSION = 2

/** Defaults a user would choose (docs/schedules-and-retention.md). */
export const DEFAULT_BACKUP_EVERY_MINUTES = 120
export const DEFAULT_VERIFY_EVERY_HOURS = 24 * 7

/** Cairn's own defaults, in force until the user changes them in Settings. */
export const BUILT_IN_SCHEDULE_DEFAULTS: Readonly<ScheduleDefaults> = Object.freeze({
  backupEveryMinutes: DEFAULT_BACKUP_EVERY_MINUTES,
  verifyEveryHours: DEFAULT_VERIFY_EVERY_HOURS,
  applyRetention: true,
})

/**
 * The user's defaults for workspaces without their own values. Fields left out follow Cairn's
 * built-in defaults (so a later Cairn may improve those it was never told otherwise).
 */
export const storedDefaultsSchema = z.object({
  backupEveryMinutes: z.number().int().nullable().optional(),
  verifyEveryHours: z.number().int().nullable().optional(),
  applyRetention: z.boolean().optional(),
  retention: retentionPolicySchema.partial().nullable().optional(),
})
export type StoredDefaults = z.infer<typeof storedDefaultsSchema>

/**
 * One workspace's schedules, retention policy and last results. Settings left out (undefined)
 * mean "the default"; null means off.
 */
export const scheduleEntrySchema = z.object({
  since: z.string(),
  backupEveryMinutes: z.number().int().nullable().optional(),
  verifyEveryHours: z.number().int().nullable().optional(),
  applyRetention: z.boolean().optional(),
  retention: retentionPolicySchema.partial().nullable().optional(),
  lastBackup: scheduledRunSchema.nullable().default(null),
  lastVerify: verifyRunResultSchema.nullable().default(null),
  lastRetention: retentionRunSchema.nullable().default(null),
})
export type ScheduleEntry = z.infer<typeof scheduleEntrySchema>

const fileSchema = z.object({
  schemaVersion: z.number().int(),
  defaults: storedDefaultsSchema.default({}),
  workspaces: z.record(z.string(), scheduleEntrySchema),
})

export type ScheduleListener = (workspaceId: string) => void
export type DefaultsListener = () => void

/** The stored defaults over Cairn's built-in ones (null keeps meaning "off"). */
export function scheduleDefaultsOf(stored: StoredDefaults): ScheduleDefaults {
  const builtIn = BUILT_IN_SCHEDULE_DEFAULTS
  return {
    backupEveryMinutes:
      stored.backupEveryMinutes === undefined
        ? builtIn.backupEveryMinutes
        : stored.backupEveryMinutes,
    verifyEveryHours:
      stored.verifyEveryHours === undefined ? builtIn.verifyEveryHours : stored.verifyEveryHours,
    applyRetention: stored.applyRetention ?? builtIn.applyRetention,
  }
}

/** The stored default policy over `builtIn` (core/retention/policy.ts DEFAULT_RETENTION). */
export function retentionDefaultsOf(
  stored: StoredDefaults,
  builtIn: RetentionPolicy,
): RetentionPolicy {
  const out = { ...builtIn }
  for (const [key, value] of Object.entries(stored.retention ?? {})) {
    if (value !== undefined) out[key as keyof RetentionPolicy] = value
  }
  return out
}

/**
 * `<dataDir>/schedules.json`: per workspace, its schedule settings, retention policy and the last
 * scheduled runs (the times "due" is computed from, so missed slots survive a restart). Written
 * atomically (temp file, fsync, rename) after every change; changes are serialized. A file
 * written by a newer Cairn is refused rather than overwritten. No secrets.
 */
export class ScheduleStore {
  readonly path: string
  private entries: Record<string, ScheduleEntry> = {}
  private storedDefaults: StoredDefaults = {}
  private loaded = false
  /** Identity of the file as last read or written: another writer (the CLI) changes it. */
  private stamp: string | null = null
  private queue: Promise<unknown> = Promise.resolve()
  private readonly listeners = new Set<ScheduleListener>()
  private readonly defaultsListeners = new Set<DefaultsListener>()

  constructor(
    dataDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.path = join(dataDir, SCHEDULES_FILE)
  }

  onChange(listener: ScheduleListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Told after the defaults changed (every workspace following them changed too). */
  onDefaultsChange(listener: DefaultsListener): () => void {
    this.defaultsListeners.add(listener)
    return () => this.defaultsListeners.delete(listener)
  }

  /** The defaults as stored (fields left out: Cairn's built-in ones). */
  async defaults(): Promise<StoredDefaults> {
    await this.load()
    return structuredClone(this.storedDefaults)
  }

  /** Changes the stored defaults; serialized with every other change and saved atomically. */
  updateDefaults(change: (defaults: StoredDefaults) => void): Promise<StoredDefaults> {
    const run = async (): Promise<StoredDefaults> => {
      await this.load()
      const before = this.storedDefaults
      const draft = structuredClone(before)
      change(draft)
      this.storedDefaults = storedDefaultsSchema.parse(draft)
      try {
        await this.save()
      } catch (error) {
        this.storedDefaults = before
        throw error
      }
      for (const listener of this.defaultsListeners) listener()
      return structuredClone(this.storedDefaults)
    }
    const next = this.queue.then(run, run)
    this.queue = next.catch(() => {})
    return next
  }

  /** The workspace's entry; one is created (and saved) the first time a workspace is seen. */
  async get(workspaceId: string): Promise<ScheduleEntry> {
    await this.load()
    const found = this.entries[workspaceId]
    if (found) return structuredClone(found)
    return this.update(workspaceId, () => {})
  }

  /** Entries of workspaces seen so far (without creating any). */
  async peek(workspaceId: string): Promise<ScheduleEntry | null> {
    await this.load()
    const found = this.entries[workspaceId]
    return found ? structuredClone(found) : null
  }

  update(workspaceId: string, change: (entry: ScheduleEntry) => void): Promise<ScheduleEntry> {
    const run = async (): Promise<ScheduleEntry> => {
      await this.load()
      const before = this.entries[workspaceId]
      const draft: ScheduleEntry = before
        ? structuredClone(before)
        : scheduleEntrySchema.parse({ since: new Date(this.now()).toISOString() })
      change(draft)
      const next = scheduleEntrySchema.parse(draft)
      this.entries[workspaceId] = next
      try {
        await this.save()
      } catch (error) {
        if (before) this.entries[workspaceId] = before
        else delete this.entries[workspaceId]
        throw error
      }
      for (const listener of this.listeners) listener(workspaceId)
      return structuredClone(next)
    }
    const next = this.queue.then(run, run)
    this.queue = next.catch(() => {})
    return next
  }

  /** Forgets a deleted workspace's entry. */
  remove(workspaceId: string): Promise<void> {
    const run = async () => {
      await this.load()
      if (!(workspaceId in this.entries)) return
      const before = this.entries[workspaceId]!
      delete this.entries[workspaceId]
      try {
        await this.save()
      } catch (error) {
        this.entries[workspaceId] = before
        throw error
      }
    }
    const next = this.queue.then(run, run)
    this.queue = next.catch(() => {})
    return next
  }

  private async load(): Promise<void> {
    // Read again when someone else replaced the file (`cairn schedules set` while the app runs);
    // one stat per access, and the scheduler reads at most once a minute.
    if (this.loaded && (await fileStamp(this.path)) === this.stamp) return
    this.loaded = false
    this.entries = {}
    this.storedDefaults = {}
    const file = await readVersionedJson({
      path: this.path,
      schema: fileSchema,
      version: SCHEMA_VERSION,
      what: 'its schedules file',
      damaged: () => damaged(this.path),
    })
    if (file) {
      this.entries = file.workspaces
      this.storedDefaults = file.defaults
    }
    this.loaded = true
    this.stamp = file ? await fileStamp(this.path) : null
  }

  private async save(): Promise<void> {
    const doc = {
      schemaVersion: SCHEMA_VERSION,
      defaults: this.storedDefaults,
      workspaces: this.entries,
    }
    await atomicWriteFile(this.path, `${JSON.stringify(doc, null, 2)}\n`)
    this.stamp = await fileStamp(this.path)
  }
}

async function fileStamp(path: string): Promise<string | null> {
  try {
    const s = await stat(path, { bigint: true })
    return `${s.ino}:${s.mtimeNs}:${s.size}`
  } catch {
    return null
  }
}

function damaged(path: string): CairnError {
  return new CairnError(
    'internal',
    `Cairn's schedules file ${path} is damaged. Move it aside: schedules and retention go back to ` +
      'their defaults (restore points are not affected).',
  )
}
