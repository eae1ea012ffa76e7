import { Worker } from 'node:worker_threads'

/**
 * Worker threads that take jobs in batches: one message (and one transferred buffer) per batch
 * rather than per job, because at tens of thousands of small jobs (blobs, files) a message each
 * costs more on the main thread than the work saved. A batch goes once it holds `batchBytes` or
 * `batchJobs`, or at the end of the current turn of the event loop; it goes to an idle worker, a
 * new one while fewer than `size` run, else the least loaded. Idle workers never keep the process
 * alive. If a worker dies, its jobs are rejected.
 *
 * Workers are built from source text (`eval`), so they run the same from TypeScript (vitest, tsx)
 * and from the bundled build, with nothing but node: modules. A worker's source receives
 * `{ id, ...encoded }` and must answer `{ id, ... }` for every batch.
 */
export interface BatchCodec<J, R> {
  /** The message for a batch (without its id) and the buffers to transfer with it. */
  encode(jobs: J[]): { message: Record<string, unknown>; transfer: ArrayBuffer[] }
  /** Each job's result from the worker's answer: a value, or an error to reject it with. */
  decode(answer: Record<string, unknown>, jobs: J[]): ({ ok: R } | { error: unknown })[]
  /** Bytes a job adds to its batch (and to a worker's load). */
  weight(job: J): number
}

export interface BatchPoolOptions {
  size: number
  source: string
  batchBytes: number
  batchJobs: number
}

interface Pending<J, R> {
  job: J
  resolve: (result: R) => void
  reject: (error: unknown) => void
}

interface PoolWorker<J, R> {
  worker: Worker
  waiting: Map<number, Pending<J, R>[]>
  load: number
}

export class BatchWorkerPool<J, R> {
  private readonly workers: PoolWorker<J, R>[] = []
  private queue: Pending<J, R>[] = []
  private queuedBytes = 0
  private flushScheduled = false
  private nextId = 0
  private outstanding = 0
  private closed = false

  constructor(
    private readonly options: BatchPoolOptions,
    private readonly codec: BatchCodec<J, R>,
  ) {}

  run(job: J): Promise<R> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'))
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ job, resolve, reject })
      this.queuedBytes += this.codec.weight(job)
      if (
        this.queuedBytes >= this.options.batchBytes ||
        this.queue.length >= this.options.batchJobs
      )
        this.flush()
      else if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(() => {
          this.flushScheduled = false
          this.flush()
        })
      }
    })
  }

  /** Stops the workers; jobs not answered yet are rejected. */
  async close(): Promise<void> {
    this.closed = true
    for (const p of this.queue) p.reject(new Error('the worker pool was closed'))
    this.queue = []
    const workers = this.workers.splice(0)
    await Promise.all(workers.map((w) => w.worker.terminate()))
    for (const w of workers) this.failAll(w, new Error('the worker pool was closed'))
  }

  private flush(): void {
    if (this.queue.length === 0) return
    const batch = this.queue
    this.queue = []
    const bytes = this.queuedBytes
    this.queuedBytes = 0
    let encoded: ReturnType<BatchCodec<J, R>['encode']>
    try {
      encoded = this.codec.encode(batch.map((p) => p.job))
    } catch (error) {
      for (const p of batch) p.reject(error)
      return
    }
    const target = this.pickWorker()
    const id = this.nextId++
    target.waiting.set(id, batch)
    target.load += bytes
    if (this.outstanding++ === 0) for (const w of this.workers) w.worker.ref()
    target.worker.postMessage({ id, ...encoded.message }, encoded.transfer)
  }

  private pickWorker(): PoolWorker<J, R> {
    const idle = this.workers.find((w) => w.load === 0 && w.waiting.size === 0)
    if (idle) return idle
    if (this.workers.length < this.options.size) return this.spawn()
    let best = this.workers[0]!
    for (const w of this.workers) if (w.load < best.load) best = w
    return best
  }

  private spawn(): PoolWorker<J, R> {
    // The workers hold next to no JS data (their bytes are outside the heap): a small heap keeps
    // their share of memory small.
    const worker = new Worker(this.options.source, {
      eval: true,
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 },
    })
    const entry: PoolWorker<J, R> = { worker, waiting: new Map(), load: 0 }
    worker.on('message', (answer: Record<string, unknown> & { id: number }) => {
      const batch = entry.waiting.get(answer.id)
      if (!batch) return
      entry.waiting.delete(answer.id)
      for (const p of batch) entry.load -= this.codec.weight(p.job)
      let results: ReturnType<BatchCodec<J, R>['decode']>
      try {
        results = this.codec.decode(
          answer,
          batch.map((p) => p.job),
        )
      } catch (error) {
        results = batch.map(() => ({ error }))
      }
      batch.forEach((p, i) => {
        const result = results[i]!
        if ('ok' in result) p.resolve(result.ok)
        else p.reject(result.error)
      })
      this.settled()
    })
    const fail = (error: unknown) => {
      const index = this.workers.indexOf(entry)
      if (index >= 0) this.workers.splice(index, 1)
      this.failAll(entry, error)
    }
    worker.on('error', fail)
    worker.on('exit', (code) => {
      if (entry.waiting.size > 0) fail(new Error(`a worker thread stopped (exit ${code})`))
    })
    if (this.outstanding === 0) worker.unref()
    this.workers.push(entry)
    return entry
  }

  /** Idle workers must not keep the process alive. */
  private settled(): void {
    if (--this.outstanding === 0) for (const w of this.workers) w.worker.unref()
  }

  private failAll(entry: PoolWorker<J, R>, error: unknown): void {
    for (const batch of entry.waiting.values()) {
      for (const p of batch) p.reject(error)
      this.settled()
    }
    entry.waiting.clear()
    entry.load = 0
  }
}
