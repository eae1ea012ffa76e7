import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { RestorePointList } from '../../../src/shared/domain/backup'
import type {
  ForgetResult,
  Pin,
  RetentionView,
  ScheduleStatus,
} from '../../../src/shared/domain/schedules'
import { acquireLease, openWorkspace } from '../../../src/main/core/repo'
import { SETTINGS_FILE } from '../../../src/main/core/settings/settings-store'
import { newWorkspaceId } from '../../../src/main/core/workspaces/registry'
import { backupWorkspace } from '../../../src/main/core/workspaces/workspace-backup'
import { runningWorkspace, type RunningWorkspace } from '../workspaces/running-workspace'
import { startWorkspaceHarness, type WorkspaceHarness } from '../workspaces/workspace-harness'

const HOUR = 3_600_000

describe('schedules and retention against a running workspace', () => {
  let h: WorkspaceHarness & { service: string }
  let ws: RunningWorkspace
  // The scheduler's clock: real time plus an offset the test moves forward.
  let offset = 0
  const clock = () => Date.now() + offset

  beforeAll(async () => {
    h = await startWorkspaceHarness({ schedules: { now: clock, tickMs: null } })
    ws = await runningWorkspace(h)
  })

  afterAll(async () => {
    await h?.close({ remove: true })
  })

  const points = async () =>
    (await h.ok<RestorePointList>('restorePoints.list', { workspaceId: ws.record.id }))
      .restorePoints
  const statusOf = async (id = ws.record.id) =>
    (await h.ok<ScheduleStatus[]>('schedules.status')).find((s) => s.workspaceId === id)!
  const tick = async () => {
    const result = await h.core.scheduler.tick()
    const done = await Promise.all(result.started.map((j) => h.finished(j.id)))
    return { ...result, done }
  }

  it('backs up a running workspace when due, once for missed slots, then applies retention', async () => {
    const before = await statusOf()
    expect(before.settings).toEqual({
      workspaceId: ws.record.id,
      backupEveryMinutes: 120,
      verifyEveryHours: 168,
      applyRetention: true,
    })
    const due = Date.parse(before.backup.nextRunAt!)
    expect(due - clock()).toBeGreaterThan(2 * HOUR - 60_000)
    expect((await tick()).started).toEqual([]) // not due yet

    offset = 10 * HOUR // asleep through five slots
    const first = await tick()
    expect(first.done.map((j) => [j.kind, j.state, j.workspaceId])).toEqual([
      ['backup', 'succeeded', ws.record.id],
    ])
    const [point] = await points()
    expect(point).toMatchObject({ trigger: 'schedule', tags: [`name:${ws.record.name}`] })
    // Missed slots run once: nothing more until the next interval.
    expect((await tick()).started).toEqual([])

    const after = await statusOf()
    expect(after.backup.last).toMatchObject({ ok: true, jobId: first.done[0]!.id })
    expect(Date.parse(after.backup.nextRunAt!)).toBe(Date.parse(after.backup.last!.at) + 2 * HOUR)
    expect(after.retention.last).toMatchObject({ ok: true, removed: 0, kept: 1 })
    expect(h.events.some((e) => e.event === 'schedules.changed')).toBe(true)
  })

  it('skips a busy workspace and tries again at the next tick', async () => {
    offset += 3 * HOUR
    const verify = await h.ok<Job>('verify.start', {
      workspaceId: ws.record.id,
      restorePoint: 'latest',
    })
    const busy = await h.core.scheduler.tick()
    expect(busy.started).toEqual([])
    expect(busy.skippedBusy).toEqual([ws.record.id])
    await h.finished(verify.id)
    const next = await tick()
    expect(next.done.map((j) => j.state)).toEqual(['succeeded'])
  })

  it('forget: a dry run changes nothing; the policy keeps stop-tagged and pinned restore points', async () => {
    // Two manual backups and one tagged stop (as a stop makes it), then pin the first manual one.
    for (let i = 0; i < 2; i++) {
      await ws.ssh(`echo change ${i} >> ~/notes.txt`)
      const job = await h.ok<Job>('workspaces.backup', { id: ws.record.id })
      expect((await h.finished(job.id)).state).toBe('succeeded')
    }
    const stopJob = h.core.services.jobs.start(
      'backup',
      { workspaceId: ws.record.id, title: 'stop-like backup' },
      async (job) => {
        const record = await h.core.workspaces.registry.require(ws.record.id)
        await backupWorkspace(h.core.workspaces, record, { trigger: 'stop', tags: ['stop'], job })
      },
    )
    expect((await h.finished(stopJob.id)).state).toBe('succeeded')
    const all = await points()
    expect(all.map((p) => p.trigger)).toEqual(['schedule', 'schedule', 'manual', 'manual', 'stop'])
    const pinnedId = all[2]!.id
    const pin = await h.ok<Pin>('restorePoints.pin', {
      workspaceId: ws.record.id,
      restorePoint: pinnedId.slice(0, 10),
    })
    expect(pin).toMatchObject({ restorePointId: pinnedId, hostname: hostname() })

    const policy = await h.ok<RetentionView>('retention.set', {
      workspaceId: ws.record.id,
      policy: { keepLast: 1, keepHourly: 0, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 },
    })
    expect(policy).toMatchObject({ custom: true, policy: { keepLast: 1, keepWithinHours: 48 } })
    await h.ok('retention.set', { workspaceId: ws.record.id, policy: { keepWithinHours: 0 } })

    const dry = await h.ok<ForgetResult>('restorePoints.forget', {
      workspaceId: ws.record.id,
      dryRun: true,
    })
    expect(dry).toMatchObject({ dryRun: true, kept: 2, removed: 3 })
    expect(dry.note).toMatch(/prune/)
    expect(dry.decisions.map((d) => [d.trigger, d.keep, d.reasons])).toEqual([
      ['stop', true, ['kept: latest', 'kept: tagged stop', 'kept: last #1']],
      ['manual', false, ['removed: beyond every rule']],
      ['manual', true, ['kept: pinned']],
      ['schedule', false, ['removed: beyond every rule']],
      ['schedule', false, ['removed: beyond every rule']],
    ])
    expect((await points()).map((p) => p.id)).toEqual(all.map((p) => p.id))

    // While another writer holds the lease, forget is refused and names it.
    const { repo, close } = await h.core.workspaces.backup.openRepository()
    try {
      const lease = await acquireLease(await openWorkspace(repo, ws.record.id), {
        holder: 'backup job 42 of the other desktop',
        hostname: 'other-desktop',
      })
      const refused = await h.call('restorePoints.forget', { workspaceId: ws.record.id })
      expect(refused).toMatchObject({ ok: false, error: { code: 'conflict' } })
      if (!refused.ok) expect(refused.error.message).toMatch(/backup job 42 of the other desktop/)
      await lease.release()
    } finally {
      close()
    }
    expect(await points()).toHaveLength(5)

    // The next scheduled backup applies the policy: latest, stop-tagged and pinned stay.
    offset += 3 * HOUR
    const run = await tick()
    expect(run.done.map((j) => j.state)).toEqual(['succeeded'])
    const left = await points()
    expect(left.map((p) => p.trigger)).toEqual(['manual', 'stop', 'schedule'])
    expect(left[0]!.id).toBe(pinnedId)
    expect((await statusOf()).retention.last).toMatchObject({ ok: true, removed: 3, kept: 3 })
    const removedEvent = h.events.find((e) => e.event === 'restorePoints.removed')
    expect(removedEvent?.payload).toEqual({
      workspaceId: ws.record.id,
      restorePointIds: [all[3]!.id, all[1]!.id, all[0]!.id],
    })
    const view = await h.workspace(ws.record.id)
    expect(view.restorePointCount).toBe(3)
  })

  it('verifies a sample on schedule and keeps the result', async () => {
    await h.ok('schedules.set', {
      workspaceId: ws.record.id,
      backupEveryMinutes: null,
      verifyEveryHours: 1,
    })
    const status = await statusOf()
    expect(status.backup.nextRunAt).toBeNull()
    offset += 2 * HOUR
    const run = await tick()
    expect(run.done.map((j) => [j.kind, j.state])).toEqual([['verify', 'succeeded']])
    const after = await statusOf()
    expect(after.verify.last).toMatchObject({ ok: true, problems: [], damagedRestorePoints: [] })
    const checked = after.verify.last!.restorePointsChecked
    const ids = (await points()).map((p) => p.id)
    expect(checked).toHaveLength(3)
    expect(checked[0]).toBe(ids.at(-1)) // the newest always
    expect(new Set(checked)).toEqual(new Set(ids))
    expect(Date.parse(after.verify.nextRunAt!)).toBe(Date.parse(after.verify.last!.at) + HOUR)
    // Kept across a restart of the scheduler's store.
    const { ScheduleStore } = await import('../../../src/main/core/schedules/schedule-store')
    expect((await new ScheduleStore(h.dataDir).get(ws.record.id)).lastVerify).toEqual(
      after.verify.last,
    )
  })

  it('backs up a brought SSH host on schedule, but never a stopped workspace', async () => {
    const byo = {
      ...ws.record,
      id: newWorkspaceId(),
      name: `${ws.record.name}-own`,
      provider: 'ssh' as const,
      server: null,
      location: null,
      serverType: null,
      image: null,
      idleTimeoutMinutes: null,
    }
    await h.core.workspaces.registry.add(byo)
    await h.ok('schedules.set', { workspaceId: ws.record.id, verifyEveryHours: null })
    const stopped = {
      ...byo,
      id: newWorkspaceId(),
      name: `${ws.record.name}-stopped`,
      provider: 'hetzner' as const,
      state: 'stopped' as const,
      ssh: null,
    }
    await h.core.workspaces.registry.add(stopped)
    expect((await h.core.scheduler.tick()).started).toEqual([]) // just seen: first slot in 2 h
    offset += 3 * HOUR
    const run = await tick()
    expect(run.done.map((j) => [j.workspaceId, j.kind, j.state])).toEqual([
      [byo.id, 'backup', 'succeeded'],
    ])
    expect((await statusOf(stopped.id)).backup.nextRunAt).toBeNull()
  })

  it('a second desktop on the same repository sees the pins', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-second-desktop-'))
    await copyFile(join(h.dataDir, SETTINGS_FILE), join(dataDir, SETTINGS_FILE))
    const second = await startWorkspaceHarness({
      reuse: {
        dataDir,
        sshConfigPath: join(dataDir, 'ssh-config'),
        project: h.project,
        storage: h.storage,
        service: h.service,
      },
      schedules: { tickMs: null },
    })
    try {
      const pins = await second.ok<Pin[]>('restorePoints.pins', { workspaceId: ws.record.id })
      const first = await h.ok<Pin[]>('restorePoints.pins', { workspaceId: ws.record.id })
      expect(pins).toEqual(first)
      expect(pins).toHaveLength(1)
      const dry = await second.ok<ForgetResult>('restorePoints.forget', {
        workspaceId: ws.record.id,
        dryRun: true,
        policy: {
          keepLast: 0,
          keepHourly: 0,
          keepDaily: 0,
          keepWeekly: 0,
          keepMonthly: 0,
          keepWithinHours: 0,
        },
      })
      const pinned = dry.decisions.find((d) => d.restorePointId === pins[0]!.restorePointId)!
      expect(pinned).toMatchObject({ keep: true, pinned: true, reasons: ['kept: pinned'] })
      // Unpinned there, gone here too.
      await second.ok('restorePoints.unpin', {
        workspaceId: ws.record.id,
        restorePoint: pins[0]!.restorePointId.slice(0, 8),
      })
      expect(await h.ok<Pin[]>('restorePoints.pins', { workspaceId: ws.record.id })).toEqual([])
    } finally {
      await second.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
