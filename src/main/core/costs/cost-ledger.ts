import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { atomicWriteFile } from '../fs/atomic-write'
import { addRequestCounts } from '../storage/counting-store'
import { emptyRequestCounts, type RequestCounts } from '../storage/object-store'

const FILE = 'storage-costs.json'
const VERSION = 1
/** Months kept per workspace (a year and the current month). */
const MONTHS_KEPT = 13

export interface WorkspaceLedger {
  /** Requests by calendar month (UTC), "2026-11" -> counts. */
  months: Record<string, RequestCounts>
  stored: { bytes: number; measuredAt: string } | null
}

interface LedgerFile {
  version: number
  workspaces: Record<string, WorkspaceLedger>
}

export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7)
}

/**
 * Per workspace running totals of the requests Cairn's jobs made and the bytes it last measured
 * there: `<dataDir>/storage-costs.json`, written atomically after each job that touched storage.
 * Writes are serialized; a damaged file starts a new ledger (it is an estimate, not a record).
 */
export class CostLedger {
  private data: LedgerFile | null = null
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly dataDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get path(): string {
    return join(this.dataDir, FILE)
  }

  private async load(): Promise<LedgerFile> {
    if (this.data) return this.data
    try {
      const parsed = JSON.parse(await readFile(this.path, 'utf8')) as LedgerFile
      if (parsed.version !== VERSION || typeof parsed.workspaces !== 'object') throw new Error()
      this.data = parsed
    } catch {
      this.data = { version: VERSION, workspaces: {} }
    }
    return this.data
  }

  private change(fn: (file: LedgerFile) => void): Promise<void> {
    const run = this.queue.then(async () => {
      const file = await this.load()
      fn(file)
      await atomicWriteFile(this.path, JSON.stringify(file, null, 2))
    })
    this.queue = run.catch(() => {})
    return run
  }

  private static entry(file: LedgerFile, workspaceId: string): WorkspaceLedger {
    return (file.workspaces[workspaceId] ??= { months: {}, stored: null })
  }

  /** Adds a job's requests to the workspace's total for this month. */
  addRequests(workspaceId: string, counts: RequestCounts): Promise<void> {
    return this.change((file) => {
      const entry = CostLedger.entry(file, workspaceId)
      const month = monthOf(this.now())
      entry.months[month] = addRequestCounts(entry.months[month] ?? emptyRequestCounts(), counts)
      const months = Object.keys(entry.months).sort()
      for (const old of months.slice(0, Math.max(0, months.length - MONTHS_KEPT)))
        delete entry.months[old]
    })
  }

  setStored(workspaceId: string, bytes: number): Promise<void> {
    return this.change((file) => {
      CostLedger.entry(file, workspaceId).stored = {
        bytes,
        measuredAt: this.now().toISOString(),
      }
    })
  }

  /** Drops a deleted workspace's stored bytes (its request history stays for the month's bill). */
  clearStored(workspaceId: string): Promise<void> {
    return this.change((file) => {
      const entry = file.workspaces[workspaceId]
      if (entry) entry.stored = { bytes: 0, measuredAt: this.now().toISOString() }
    })
  }

  async snapshot(): Promise<Record<string, WorkspaceLedger>> {
    await this.queue
    return structuredClone((await this.load()).workspaces)
  }
}
