import { randomUUID } from 'node:crypto'
import { CairnError, type WireError } from '../../../shared/errors'
import type { Job, JobKind } from '../../../shared/domain/jobs'
import type { EventBus } from '../api/event-bus'
import { silentLogger, type Logger } from '../logging/logger'
import { loadJobHistory, saveJobHistory } from './job-history'
import { runInJobScope } from './job-scope'
import { RateMeter } from './rate-meter'

export interface JobProgress {
  phase?: string
  filesDone?: number
  filesTotal?: number | null
  bytesDone?: number
  bytesTotal?: number | null
  currentPath?: string | null
}

/** What a running job's code gets. */
export interface JobContext {
  readonly id: string
  /** Aborted when the user cancels the job or the app shuts down. */
  readonly signal: AbortSignal
  /** Report progress; fields left out keep their previous value. Cheap to call often. */
  progress(update: JobProgress): void
}

export type JobTask = (ctx: JobContext) => Promise<void>

export interface StartJobOptions {
  workspaceId: string | null
  title: string
  /**
   * Whether the job changes the workspace (and so excludes other mutating jobs on it). Defaults by
   * kind: verify, check and storage-test only read.
   */
  mutating?: boolean
}

export interface JobRunnerOptions {
  events: EventBus
  /** Where jobs.json lives; without it history is kept in memory only. */
  dataDir?: string
  /** Finished jobs kept; default 200. */
  historyLimit?: number
  /** Minimum time between job.updated events of one job; default 100 ms (10 per second). */
  throttleMs?: number
  /** How long dispose() waits for cancelled jobs to wind down; default 10 s. */
  disposeWaitMs?: number
  logger?: Logger
  now?: () => number
}

const readOnlyKinds: ReadonlySet<JobKind> = new Set(['verify', 'check', 'storage-test'])

interface Running {
  job: Job
  controller: AbortController
  mutating: boolean
  meter: RateMeter
  lastEmitAt: number
  timer: NodeJS.Timeout | null
  done: Promise<Job>
}

/**
 * Runs long operations as jobs: returns the job at once, tracks progress, rate and eta, publishes
 * `job.updated` (at most one per `throttleMs` per job; the first and the final state always go out
 * immediately), enforces one mutating job per workspace, supports cancel, and keeps a bounded
 * history in jobs.json so a job cut off by a crash is reported after the restart.
 */
export class JobRunner {
  private readonly running = new Map<string, Running>()
  private readonly busy = new Map<string, string>() // workspaceId -> job id
  private history: Job[] = []
  private writable = true
  private saving: Promise<void> | null = null
  private saveAgain = false
  private disposed = false
  private readonly historyLimit: number
  private readonly throttleMs: number
  private readonly logger: Logger
  private readonly now: () => number

  private constructor(private readonly options: JobRunnerOptions) {
    this.historyLimit = options.historyLimit ?? 200
    this.throttleMs = options.throttleMs ?? 100
    this.logger = options.logger ?? silentLogger
    this.now = options.now ?? Date.now
  }

  /** Loads the history (marking jobs a crash cut off as interrupted) and returns a runner. */
  static async open(options: JobRunnerOptions): Promise<JobRunner> {
    const runner = new JobRunner(options)
    if (options.dataDir) {
      const loaded = await loadJobHistory(options.dataDir, new Date(runner.now()))
      runner.history = loaded.jobs.slice(0, runner.historyLimit)
      runner.writable = loaded.writable
      if (!loaded.writable)
        runner.logger.warn('jobs.json is from a newer Cairn; job history is not saved')
      if (loaded.jobs.some((j) => j.error?.code === 'interrupted')) await runner.persist()
    }
    return runner
  }

  start(kind: JobKind, options: StartJobOptions, task: JobTask): Job {
    if (this.disposed) throw new CairnError('cancelled', 'Cairn is shutting down.')
    const mutating = options.mutating ?? !readOnlyKinds.has(kind)
    if (mutating && options.workspaceId !== null) {
      const other = this.busy.get(options.workspaceId)
      const otherJob = other ? this.running.get(other)?.job : undefined
      if (otherJob) {
        throw new CairnError(
          'conflict',
          `Workspace ${options.workspaceId} is busy with ${otherJob.title}; wait or cancel it`,
          { jobId: otherJob.id },
        )
      }
    }
    const at = new Date(this.now()).toISOString()
    const job: Job = {
      id: randomUUID(),
      workspaceId: options.workspaceId,
      kind,
      title: options.title,
      state: 'running',
      phase: 'starting',
      filesDone: 0,
      filesTotal: null,
      bytesDone: 0,
      bytesTotal: null,
      currentPath: null,
      rate: null,
      eta: null,
      createdAt: at,
      startedAt: at,
      finishedAt: null,
      error: null,
    }
    const controller = new AbortController()
    const entry: Running = {
      job,
      controller,
      mutating,
      meter: new RateMeter(),
      lastEmitAt: 0,
      timer: null,
      done: Promise.resolve(job),
    }
    this.running.set(job.id, entry)
    if (mutating && job.workspaceId !== null) this.busy.set(job.workspaceId, job.id)

    const ctx: JobContext = {
      id: job.id,
      signal: controller.signal,
      progress: (update) => this.progress(entry, update),
    }
    this.emit(entry, true)
    void this.persist()
    // The task starts on the next microtask: start() returns (and the first event is out) before
    // any of the task's own progress can arrive.
    entry.done = Promise.resolve()
      .then(() => {
        // Cancelled (or shut down) before it began: do not start the work at all.
        if (controller.signal.aborted) throw controller.signal.reason
        return runInJobScope({ id: job.id, kind, workspaceId: job.workspaceId }, () => task(ctx))
      })
      .then(
        () => this.finish(entry, 'succeeded', null),
        (error: unknown) => {
          if (controller.signal.aborted) return this.finish(entry, 'cancelled', null)
          if (error instanceof CairnError) {
            if (error.code === 'cancelled') return this.finish(entry, 'cancelled', null)
            return this.finish(entry, 'failed', error.toWire())
          }
          this.logger.error(`job ${job.kind} failed`, error, { jobId: job.id })
          return this.finish(entry, 'failed', {
            code: 'internal',
            message: 'Cairn hit an unexpected problem. The details are in its log.',
          })
        },
      )
    return { ...job }
  }

  get(id: string): Job | undefined {
    const running = this.running.get(id)
    if (running) return { ...running.job }
    const done = this.history.find((j) => j.id === id)
    return done ? { ...done } : undefined
  }

  /** Running jobs first (oldest first), then finished ones, newest first. */
  list(): Job[] {
    return [
      ...[...this.running.values()].map((r) => ({ ...r.job })),
      ...this.history.map((j) => ({ ...j })),
    ]
  }

  /** Asks a running job to stop. It ends as `cancelled` once its code has wound down. */
  cancel(id: string): void {
    const entry = this.running.get(id)
    if (!entry) {
      if (this.history.some((j) => j.id === id)) return // already finished: nothing to do
      throw new CairnError('not_found', 'There is no such job.')
    }
    if (entry.controller.signal.aborted) return
    entry.job.phase = 'cancelling'
    entry.controller.abort(new CairnError('cancelled', 'Cancelled.'))
    this.emit(entry, true)
  }

  /** Resolves with the final state of a job. */
  async wait(id: string): Promise<Job> {
    const entry = this.running.get(id)
    if (entry) return entry.done
    const done = this.get(id)
    if (!done) throw new CairnError('not_found', 'There is no such job.')
    return done
  }

  /** Cancels everything still running, waits a bounded time for it, and saves the history. */
  async dispose(): Promise<void> {
    this.disposed = true
    const pending = [...this.running.values()]
    for (const entry of pending)
      entry.controller.abort(new CairnError('cancelled', 'Cairn is shutting down.'))
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.all(pending.map((e) => e.done)),
      new Promise((resolve) => (timer = setTimeout(resolve, this.options.disposeWaitMs ?? 10_000))),
    ])
    clearTimeout(timer)
    for (const entry of this.running.values()) if (entry.timer) clearTimeout(entry.timer)
    await this.persist()
  }

  private progress(entry: Running, update: JobProgress): void {
    if (entry.job.state !== 'running') return
    const job = entry.job
    if (update.phase !== undefined && job.phase !== 'cancelling') job.phase = update.phase
    if (update.filesDone !== undefined) job.filesDone = update.filesDone
    if (update.filesTotal !== undefined) job.filesTotal = update.filesTotal
    if (update.bytesTotal !== undefined) job.bytesTotal = update.bytesTotal
    if (update.currentPath !== undefined) job.currentPath = update.currentPath
    if (update.bytesDone !== undefined) {
      job.bytesDone = update.bytesDone
      entry.meter.sample(update.bytesDone, this.now())
    }
    job.rate = entry.meter.bytesPerSecond
    job.eta = entry.meter.eta(job.bytesDone, job.bytesTotal)
    this.emit(entry, false)
  }

  private finish(entry: Running, state: Job['state'], error: WireError | null): Job {
    const job = entry.job
    job.state = state
    job.error = error
    job.eta = null
    job.finishedAt = new Date(this.now()).toISOString()
    if (state === 'succeeded') job.phase = 'done'
    else if (state === 'cancelled') job.phase = 'cancelled'
    this.running.delete(job.id)
    if (entry.mutating && job.workspaceId !== null && this.busy.get(job.workspaceId) === job.id) {
      this.busy.delete(job.workspaceId)
    }
    this.history.unshift(job)
    if (this.history.length > this.historyLimit) this.history.length = this.historyLimit
    this.emit(entry, true)
    void this.persist()
    return { ...job }
  }

  /**
   * Publishes the job's current state. Forced emits (first, cancel, final) go out at once and drop
   * any pending one; others go out at once if the last emit is old enough, or else once, later,
   * with whatever the state is by then, so the latest progress is never lost.
   */
  private emit(entry: Running, force: boolean): void {
    const now = this.now()
    const send = () => {
      if (entry.timer) clearTimeout(entry.timer)
      entry.timer = null
      entry.lastEmitAt = this.now()
      this.options.events.emit('job.updated', { ...entry.job })
    }
    if (force || now - entry.lastEmitAt >= this.throttleMs) send()
    else entry.timer ??= setTimeout(send, entry.lastEmitAt + this.throttleMs - now)
  }

  /** Writes jobs.json; calls during a write coalesce into one more write after it. */
  private async persist(): Promise<void> {
    const dir = this.options.dataDir
    if (!dir || !this.writable) return
    if (this.saving) {
      this.saveAgain = true
      return this.saving
    }
    this.saving = (async () => {
      do {
        this.saveAgain = false
        const snapshot = [...[...this.running.values()].map((r) => ({ ...r.job })), ...this.history]
        try {
          await saveJobHistory(dir, snapshot)
        } catch (error) {
          this.logger.error('could not save jobs.json', error)
        }
      } while (this.saveAgain)
    })().finally(() => {
      this.saving = null
    })
    return this.saving
  }
}
