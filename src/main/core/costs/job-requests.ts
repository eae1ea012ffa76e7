import type { JobResult } from '../../../shared/domain/backup'
import type { Job } from '../../../shared/domain/jobs'
import type { EventBus } from '../api/event-bus'
import { currentJob } from '../jobs/job-scope'
import type { Logger } from '../logging/logger'
import { CountingStore } from '../storage/counting-store'
import { emptyRequestCounts, type ObjectStore, type RequestCounts } from '../storage/object-store'
import type { CostLedger } from './cost-ledger'

/** Where the requests of jobs without a workspace (a check of every workspace) are recorded. */
export const REPOSITORY_LEDGER_KEY = '(repository)'

const FINAL: ReadonlySet<Job['state']> = new Set(['succeeded', 'failed', 'cancelled'])

interface Tracked {
  counts: RequestCounts
  workspaceId: string | null
}

/**
 * The requests each job makes to the storage. Every store the core opens for a job goes through
 * `wrap` (BackupContext.configuredStore does it), which gives the job's stores one set of
 * counters; when the job ends they go into the workspace's running total (CostLedger) and into
 * the job's result (jobs.result `requests`).
 */
export class JobRequests {
  private readonly jobs = new Map<string, Tracked>()

  constructor(
    private readonly ledger: CostLedger,
    private readonly logger?: Logger,
  ) {}

  /** The store, counting for the job whose code runs now (unchanged outside jobs). */
  wrap(store: ObjectStore): ObjectStore {
    const job = currentJob()
    if (!job) return store
    let tracked = this.jobs.get(job.id)
    if (!tracked) {
      tracked = { counts: emptyRequestCounts(), workspaceId: job.workspaceId }
      this.jobs.set(job.id, tracked)
    }
    return new CountingStore(store, tracked.counts)
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
      this.ledger
        .addRequests(tracked.workspaceId ?? REPOSITORY_LEDGER_KEY, counts)
        .catch((error: unknown) =>
          this.logger?.warn('could not record storage requests', { error: String(error) }),
        )
    })
  }
}
