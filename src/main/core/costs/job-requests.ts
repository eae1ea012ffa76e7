import type { JobResult } from '../../../shared/domain/backup'
import type { Job } from '../../../shared/domain/jobs'
import type { EventBus } from '../api/event-bus'
import { currentJob } from '../jobs/job-scope'
import type { Logger } from '../logging/logger'
import { CountingStore, subtractRequestCounts } from '../storage/counting-store'
import {
  emptyRequestCounts,
  type ByteRange,
  type ObjectStore,
  type RequestCounts,
} from '../storage/object-store'
import type { CostLedger } from './cost-ledger'

/** Where the requests of jobs without a workspace (a check of every workspace) are recorded. */
export const REPOSITORY_LEDGER_KEY = '(repository)'

const ENDED_KEPT = 1000

const FINAL: ReadonlySet<Job['state']> = new Set(['succeeded', 'failed', 'cancelled'])

interface Tracked {
  counts: RequestCounts
  workspaceId: string | null
  /** By workspace, when a job works on several (a check of every workspace) and says which. */
  byWorkspace: Map<string, RequestCounts>
}

/**
 * A job's store: counts every request for the job, and also for the workspace the job's code is
 * working on at the time of the request (runInJobScope with another workspaceId inside the job).
 */
class JobStore implements ObjectStore {
  private readonly total: CountingStore
  private readonly perWorkspace = new Map<string, CountingStore>()

  constructor(
    base: ObjectStore,
    private readonly jobId: string,
    private readonly tracked: Tracked,
  ) {
    this.total = new CountingStore(base, tracked.counts)
  }

  get description(): string {
    return this.total.description
  }

  get requests(): RequestCounts {
    return this.total.requests
  }

  private pick(): ObjectStore {
    const scope = currentJob()
    const workspace = scope?.id === this.jobId ? scope.workspaceId : null
    if (workspace === null || workspace === this.tracked.workspaceId) return this.total
    let store = this.perWorkspace.get(workspace)
    if (!store) {
      let counts = this.tracked.byWorkspace.get(workspace)
      if (!counts) this.tracked.byWorkspace.set(workspace, (counts = emptyRequestCounts()))
      store = new CountingStore(this.total, counts)
      this.perWorkspace.set(workspace, store)
    }
    return store
  }

  put(key: string, body: Uint8Array, options?: { createOnly?: boolean; signal?: AbortSignal }) {
    return this.pick().put(key, body, options)
  }
  get(key: string, options?: { range?: ByteRange; signal?: AbortSignal }) {
    return this.pick().get(key, options)
  }
  head(key: string, options?: { signal?: AbortSignal }) {
    return this.pick().head(key, options)
  }
  list(prefix: string, options?: { signal?: AbortSignal }) {
    return this.pick().list(prefix, options)
  }
  delete(key: string, options?: { signal?: AbortSignal }) {
    return this.pick().delete(key, options)
  }
}

/**
 * The requests each job makes to the storage. Every store the core opens for a job goes through
 * `wrap` (BackupContext.configuredStore does it), which gives the job's stores one set of
 * counters; when the job ends they go into the workspace's running total (CostLedger) and into
 * the job's result (jobs.result `requests`).
 */
export class JobRequests {
  private readonly jobs = new Map<string, Tracked>()
  private readonly ended = new Set<string>()

  constructor(
    private readonly ledger: CostLedger,
    private readonly logger?: Logger,
  ) {}

  /** The store, counting for the job whose code runs now (unchanged outside jobs). */
  wrap(store: ObjectStore): ObjectStore {
    const job = currentJob()
    // A timer a job started may outlive it and still carry its scope: not the job's any more.
    if (!job || this.ended.has(job.id)) return store
    let tracked = this.jobs.get(job.id)
    if (!tracked) {
      tracked = {
        counts: emptyRequestCounts(),
        workspaceId: job.workspaceId,
        byWorkspace: new Map(),
      }
      this.jobs.set(job.id, tracked)
    }
    return new JobStore(store, job.id, tracked)
  }

  private record(workspaceId: string, counts: RequestCounts): void {
    this.ledger
      .addRequests(workspaceId, counts)
      .catch((error: unknown) =>
        this.logger?.warn('could not record storage requests', { error: String(error) }),
      )
  }

  /** What a job has made so far (null if it opened no storage). */
  of(jobId: string): RequestCounts | null {
    const tracked = this.jobs.get(jobId)
    return tracked ? { ...tracked.counts } : null
  }

  /**
   * Records each job's requests when it ends. `result` reads the job's result (to add
   * `requests`), `setResult` stores it.
   */
  follow(
    events: EventBus,
    results: {
      result(jobId: string): JobResult | null
      setResult(jobId: string, result: JobResult): void
    },
  ): () => void {
    return events.subscribe((name, payload) => {
      if (name !== 'job.updated') return
      const job = payload as Job
      if (!FINAL.has(job.state)) return
      const tracked = this.jobs.get(job.id)
      this.ended.add(job.id)
      if (this.ended.size > ENDED_KEPT) this.ended.delete(this.ended.values().next().value!)
      if (!tracked) return
      this.jobs.delete(job.id)
      const counts = { ...tracked.counts }
      const result = results.result(job.id)
      // A job without a result of its own (delete) gets one with its requests when it succeeded;
      // a failed or cancelled one keeps none (its requests are in the ledger).
      if (result && result.kind !== 'requests') {
        results.setResult(job.id, { ...result, requests: counts })
      } else if (job.state === 'succeeded') {
        results.setResult(job.id, { kind: 'requests', requests: counts })
      }
      // Requests made for a named workspace go to it; the rest to the job's own (or the
      // repository's, for a job over every workspace).
      let rest = counts
      for (const [workspaceId, part] of tracked.byWorkspace) {
        rest = subtractRequestCounts(rest, part)
        this.record(workspaceId, part)
      }
      if (Object.values(rest).some((n) => n > 0))
        this.record(tracked.workspaceId ?? REPOSITORY_LEDGER_KEY, rest)
    })
  }
}
