import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { z } from 'zod'
import { workspaceRecordSchema, type WorkspaceRecord } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import { atomicWriteFile } from '../fs/atomic-write'
import { readVersionedJson } from '../fs/versioned-json'

export const REGISTRY_FILE = 'workspaces.json'
const SCHEMA_VERSION = 1

const registryFileSchema = z.object({
  schemaVersion: z.number().int(),
  workspaces: z.array(workspaceRecordSchema),
  reconciledAt: z.string().nullable().default(null),
})

/** Crockford base32, lowercase: ids are safe in labels, prefixes and file names. */
const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

/** `ws-` and 16 random base32 digits (80 bits): unique without asking anyone. */
export function newWorkspaceId(): string {
  const bytes = randomBytes(16)
  let id = 'ws-'
  for (const b of bytes) id += ID_ALPHABET[b & 31]
  return id
}

export type RegistryListener = (id: string, record: WorkspaceRecord | null) => void

/**
 * The workspace registry: `<dataDir>/workspaces.json`, schema-versioned, written atomically after
 * every change (temp file, fsync, rename), never holding a secret. Changes are serialized, so two
 * jobs updating different fields of one workspace cannot lose each other's write. A file written
 * by a newer Cairn is refused rather than overwritten.
 */
export class WorkspaceRegistry {
  readonly path: string
  private records: WorkspaceRecord[] = []
  private reconciledAt: string | null = null
  private loaded = false
  private queue: Promise<unknown> = Promise.resolve()
  private readonly listeners = new Set<RegistryListener>()

  constructor(dataDir: string) {
    this.path = join(dataDir, REGISTRY_FILE)
  }

  /** Called after every committed change with the new record (null: removed). */
  onChange(listener: RegistryListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async list(): Promise<WorkspaceRecord[]> {
    await this.load()
    return this.records.map((r) => structuredClone(r))
  }

  async get(id: string): Promise<WorkspaceRecord | null> {
    await this.load()
    const record = this.records.find((r) => r.id === id)
    return record ? structuredClone(record) : null
  }

  /** Like get, but a missing workspace is a not_found error that says what to do. */
  async require(id: string): Promise<WorkspaceRecord> {
    const record = await this.get(id)
    if (!record) {
      throw new CairnError(
        'not_found',
        `There is no workspace ${id} on this computer. Reload the workspace list.`,
      )
    }
    return record
  }

  async findByName(name: string): Promise<WorkspaceRecord | null> {
    await this.load()
    const record = this.records.find((r) => r.name === name)
    return record ? structuredClone(record) : null
  }

  async getReconciledAt(): Promise<string | null> {
    await this.load()
    return this.reconciledAt
  }

  /** Adds a workspace; its name must be unused on this computer. */
  add(record: WorkspaceRecord): Promise<WorkspaceRecord> {
    return this.change(async () => {
      const parsed = workspaceRecordSchema.parse(record)
      if (this.records.some((r) => r.name === parsed.name)) {
        throw new CairnError(
          'conflict',
          `A workspace named ${parsed.name} already exists. Choose another name.`,
        )
      }
      if (this.records.some((r) => r.id === parsed.id)) {
        throw new CairnError('conflict', `Workspace ${parsed.id} is already registered.`)
      }
      this.records.push(parsed)
      return { id: parsed.id, record: parsed }
    })
  }

  /** Applies `change` to the current record and saves it; the result is validated first. */
  update(
    id: string,
    change: (record: WorkspaceRecord) => WorkspaceRecord | void,
  ): Promise<WorkspaceRecord> {
    return this.change(async () => {
      const index = this.records.findIndex((r) => r.id === id)
      const current = this.records[index]
      if (!current) {
        throw new CairnError('not_found', `There is no workspace ${id} on this computer.`)
      }
      const draft = structuredClone(current)
      const next = workspaceRecordSchema.parse(change(draft) ?? draft)
      if (next.id !== id) throw new CairnError('internal', 'A workspace id cannot change.')
      if (this.records.some((r) => r.id !== id && r.name === next.name)) {
        throw new CairnError('conflict', `A workspace named ${next.name} already exists.`)
      }
      this.records[index] = next
      return { id, record: next }
    })
  }

  remove(id: string): Promise<void> {
    return this.change(async () => {
      this.records = this.records.filter((r) => r.id !== id)
      return { id, record: null }
    }).then(() => undefined)
  }

  setReconciledAt(at: string): Promise<void> {
    return this.change(async () => {
      this.reconciledAt = at
      return null
    }).then(() => undefined)
  }

  private change<T extends WorkspaceRecord | null>(
    apply: () => Promise<{ id: string; record: T } | null>,
  ): Promise<T> {
    const run = async (): Promise<T> => {
      await this.load()
      const before = structuredClone(this.records)
      const beforeReconciled = this.reconciledAt
      let result: { id: string; record: T } | null
      try {
        result = await apply()
        await this.save()
      } catch (error) {
        this.records = before
        this.reconciledAt = beforeReconciled
        throw error
      }
      if (result) {
        for (const listener of this.listeners) {
          listener(result.id, result.record ? structuredClone(result.record) : null)
        }
      }
      return (result?.record ?? null) as T
    }
    const next = this.queue.then(run, run)
    this.queue = next.catch(() => {})
    return next
  }

  private async load(): Promise<void> {
    if (this.loaded) return
    const file = await readVersionedJson({
      path: this.path,
      schema: registryFileSchema,
      version: SCHEMA_VERSION,
      what: 'its workspace list',
      damaged: () => damaged(this.path),
    })
    if (file) {
      this.records = file.workspaces
      this.reconciledAt = file.reconciledAt
    }
    this.loaded = true
  }

  private async save(): Promise<void> {
    const doc = {
      schemaVersion: SCHEMA_VERSION,
      workspaces: this.records,
      reconciledAt: this.reconciledAt,
    }
    await atomicWriteFile(this.path, `${JSON.stringify(doc, null, 2)}\n`)
  }
}

function damaged(path: string): CairnError {
  return new CairnError(
    'internal',
    `Cairn's workspace list ${path} is damaged. Move it aside and choose Reconcile: Cairn finds ` +
      'running servers on Hetzner and workspaces in your storage again.',
  )
}
