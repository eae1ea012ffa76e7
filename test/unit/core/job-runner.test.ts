import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CairnError } from '../../../src/shared/errors'
import type { Job } from '../../../src/shared/domain/jobs'
import { EventBus } from '../../../src/main/core/api/event-bus'
import { JobRunner, type JobContext } from '../../../src/main/core/jobs/job-runner'

function record(events: EventBus) {
  const seen: Array<{ at: number; job: Job }> = []
  events.subscribe((event, payload) => {
    if (event === 'job.updated') seen.push({ at: Date.now(), job: payload as Job })
  })
  return seen
}

/** A task that finishes when told to, and otherwise waits for its cancellation. */
function controllable() {
  let ctx!: JobContext
  let finish!: () => void
  let fail!: (error: unknown) => void
  const task = (c: JobContext) =>
    new Promise<void>((resolve, reject) => {
      ctx = c
      finish = resolve
      fail = reject
      c.signal.addEventListener('abort', () => reject(c.signal.reason))
    })
  return { task, ctx: () => ctx, finish: () => finish(), fail: (e: unknown) => fail(e) }
}

describe('JobRunner', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('emits at most 10 updates per second per job and always delivers the final state', async () => {
    const events = new EventBus()
    const seen = record(events)
    const runner = await JobRunner.open({ events })
    const total = 30_000_000
    const job = runner.start('backup', { workspaceId: 'w1', title: 'Back up w1' }, async (ctx) => {
      ctx.progress({ phase: 'uploading', bytesTotal: total, filesTotal: 3000 })
      // 3000 progress reports, one per millisecond, for three seconds.
      for (let i = 1; i <= 3000; i++) {
        await new Promise((r) => setTimeout(r, 1))
        ctx.progress({ bytesDone: i * 10_000, filesDone: i, currentPath: `f${i}` })
      }
    })
    await vi.advanceTimersByTimeAsync(5_000)
    const final = await runner.wait(job.id)

    expect(final.state).toBe('succeeded')
    const times = seen.map((e) => e.at)
    // Any one-second window holds at most 10 throttled updates plus the forced final one.
    for (const start of times) {
      const inWindow = times.filter((t) => t >= start && t < start + 1000).length
      expect(inWindow).toBeLessThanOrEqual(11)
    }
    // Throttled updates are at least 100 ms apart (the first and final ones are forced).
    const throttled = seen.slice(1, -1)
    for (let i = 1; i < throttled.length; i++) {
      expect(throttled[i]!.at - throttled[i - 1]!.at).toBeGreaterThanOrEqual(100)
    }
    expect(seen.length).toBeGreaterThan(20) // ~30 over three seconds: progress did flow
    expect(seen.length).toBeLessThanOrEqual(33)
    const last = seen.at(-1)!.job
    expect(last).toMatchObject({
      state: 'succeeded',
      bytesDone: total,
      filesDone: 3000,
      currentPath: 'f3000',
    })
    expect(seen[0]!.job.state).toBe('running')
    // ~10 MB/s reported steadily: rate and eta are computed.
    const mid = seen[Math.floor(seen.length / 2)]!.job
    expect(mid.rate).toBeGreaterThan(9_000_000)
    expect(mid.rate).toBeLessThan(11_000_000)
    expect(mid.eta).toBeGreaterThan(0)
  })

  it('delivers the latest progress even when no further report follows', async () => {
    const events = new EventBus()
    const seen = record(events)
    const runner = await JobRunner.open({ events })
    const c = controllable()
    runner.start('backup', { workspaceId: 'w1', title: 'Back up' }, c.task)
    await vi.advanceTimersByTimeAsync(0)
    c.ctx().progress({ bytesDone: 1 })
    await vi.advanceTimersByTimeAsync(10)
    c.ctx().progress({ bytesDone: 2 })
    c.ctx().progress({ bytesDone: 3, phase: 'scanning' })
    await vi.advanceTimersByTimeAsync(200)
    expect(seen.at(-1)!.job).toMatchObject({ state: 'running', bytesDone: 3, phase: 'scanning' })
    expect(seen.length).toBeLessThanOrEqual(3)
    c.finish()
    await vi.advanceTimersByTimeAsync(0)
  })

  it('refuses a second mutating job on the same workspace, naming the busy job', async () => {
    const runner = await JobRunner.open({ events: new EventBus() })
    const c = controllable()
    runner.start('backup', { workspaceId: 'w1', title: 'Back up w1' }, c.task)
    let error: unknown
    try {
      runner.start('stop', { workspaceId: 'w1', title: 'Stop w1' }, async () => {})
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(CairnError)
    expect((error as CairnError).code).toBe('conflict')
    expect((error as CairnError).message).toBe(
      'Workspace w1 is busy with Back up w1; wait or cancel it',
    )
    // Other workspaces and read-only jobs are not held up.
    const other = runner.start('backup', { workspaceId: 'w2', title: 'Back up w2' }, async () => {})
    const verify = runner.start('verify', { workspaceId: 'w1', title: 'Verify w1' }, async () => {})
    await vi.advanceTimersByTimeAsync(0)
    expect((await runner.wait(other.id)).state).toBe('succeeded')
    expect((await runner.wait(verify.id)).state).toBe('succeeded')
    // Once the first job is over, the workspace is free again.
    c.finish()
    await vi.advanceTimersByTimeAsync(0)
    const next = runner.start('stop', { workspaceId: 'w1', title: 'Stop w1' }, async () => {})
    await vi.advanceTimersByTimeAsync(0)
    expect((await runner.wait(next.id)).state).toBe('succeeded')
  })

  it('cancels a running job: the task sees the abort and the job ends cancelled at once', async () => {
    const events = new EventBus()
    const seen = record(events)
    const runner = await JobRunner.open({ events })
    const c = controllable()
    const job = runner.start('restore', { workspaceId: 'w1', title: 'Restore' }, c.task)
    await vi.advanceTimersByTimeAsync(0)
    c.ctx().progress({ bytesDone: 5 })
    runner.cancel(job.id)
    expect(c.ctx().signal.aborted).toBe(true)
    await vi.advanceTimersByTimeAsync(0)
    const final = await runner.wait(job.id)
    expect(final.state).toBe('cancelled')
    expect(final.error).toBeNull()
    expect(seen.at(-1)!.job.state).toBe('cancelled')
    expect(seen.some((e) => e.job.phase === 'cancelling')).toBe(true)
    // Cancelling a finished job is harmless; an unknown id is not_found.
    expect(() => runner.cancel(job.id)).not.toThrow()
    expect(() => runner.cancel('nope')).toThrow(expect.objectContaining({ code: 'not_found' }))
    // The workspace is free again.
    expect(() =>
      runner.start('backup', { workspaceId: 'w1', title: 'B' }, async () => {}),
    ).not.toThrow()
  })

  it('records failures with the CairnError, and hides unexpected errors', async () => {
    const runner = await JobRunner.open({ events: new EventBus() })
    const a = runner.start('backup', { workspaceId: null, title: 'A' }, async () => {
      throw new CairnError('unreachable', 'Storage is unreachable.')
    })
    const b = runner.start('backup', { workspaceId: null, title: 'B' }, async () => {
      throw new Error('/home/someone/secret path')
    })
    await vi.advanceTimersByTimeAsync(0)
    expect((await runner.wait(a.id)).error).toEqual({
      code: 'unreachable',
      message: 'Storage is unreachable.',
    })
    const failed = await runner.wait(b.id)
    expect(failed.error?.code).toBe('internal')
    expect(failed.error?.message).not.toContain('/home')
  })

  it('keeps a bounded history, newest first, after the running ones', async () => {
    const runner = await JobRunner.open({ events: new EventBus(), historyLimit: 3 })
    for (let i = 0; i < 5; i++) {
      const job = runner.start('check', { workspaceId: null, title: `J${i}` }, async () => {})
      await vi.advanceTimersByTimeAsync(1)
      await runner.wait(job.id)
    }
    const c = controllable()
    runner.start('backup', { workspaceId: 'w', title: 'Running' }, c.task)
    await vi.advanceTimersByTimeAsync(0)
    expect(runner.list().map((j) => j.title)).toEqual(['Running', 'J4', 'J3', 'J2'])
    c.finish()
    await vi.advanceTimersByTimeAsync(0)
  })
})

describe('JobRunner history on disk', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-jobs-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('reports a job cut off by a crash as failed with code interrupted after a restart', async () => {
    const first = await JobRunner.open({ events: new EventBus(), dataDir: dir })
    const done = first.start(
      'check',
      { workspaceId: null, title: 'Finished check' },
      async () => {},
    )
    await first.wait(done.id)
    const running = first.start(
      'backup',
      { workspaceId: 'w1', title: 'Back up w1' },
      () => new Promise(() => {}),
    )
    // Let the history reach the disk, then "crash": the runner is simply abandoned.
    await vi.waitFor(async () => {
      const text = await readFile(join(dir, 'jobs.json'), 'utf8')
      expect(text).toContain('"running"')
      expect(text).toContain('"succeeded"')
    })

    const events = new EventBus()
    const second = await JobRunner.open({ events, dataDir: dir })
    const jobs = second.list()
    const interrupted = jobs.find((j) => j.id === running.id)!
    expect(interrupted.state).toBe('failed')
    expect(interrupted.error?.code).toBe('interrupted')
    expect(interrupted.error?.message).toMatch(/interrupted/)
    expect(interrupted.finishedAt).not.toBeNull()
    expect(jobs.find((j) => j.id === done.id)!.state).toBe('succeeded')
    // The workspace is not left busy by the dead job.
    expect(() =>
      second.start('backup', { workspaceId: 'w1', title: 'Again' }, async () => {}),
    ).not.toThrow()
    // The corrected state is on disk too, so it is not reported differently next time.
    const onDisk = JSON.parse(await readFile(join(dir, 'jobs.json'), 'utf8')) as {
      schemaVersion: number
      jobs: Job[]
    }
    expect(onDisk.schemaVersion).toBe(1)
    await second.dispose()
  })

  it('dispose cancels running jobs and saves them as cancelled', async () => {
    const runner = await JobRunner.open({ events: new EventBus(), dataDir: dir })
    const c = controllable()
    const job = runner.start('backup', { workspaceId: 'w1', title: 'Back up' }, c.task)
    await new Promise((r) => setImmediate(r))
    expect(c.ctx().signal.aborted).toBe(false)
    await runner.dispose()
    const onDisk = JSON.parse(await readFile(join(dir, 'jobs.json'), 'utf8')) as { jobs: Job[] }
    expect(onDisk.jobs.find((j) => j.id === job.id)!.state).toBe('cancelled')
    expect(() =>
      runner.start('check', { workspaceId: null, title: 'late' }, async () => {}),
    ).toThrow()
  })
})
