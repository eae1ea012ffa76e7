import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { RestorePointList } from '../../../src/shared/domain/backup'
import type {
  ForgetResult,
  RetentionPolicy,
  RetentionView,
  ScheduleDefaults,
  ScheduleSettings,
  ScheduleStatus,
} from '../../../src/shared/domain/schedules'
import { DEFAULT_RETENTION } from '../../../src/main/core/retention/policy'
import { SCHEDULES_FILE } from '../../../src/main/core/schedules/schedule-store'
import { newWorkspaceId } from '../../../src/main/core/workspaces/registry'
import { runningWorkspace, type RunningWorkspace } from '../workspaces/running-workspace'
import { startWorkspaceHarness, type WorkspaceHarness } from '../workspaces/workspace-harness'

const MINUTE = 60_000

/**
 * The defaults (schedules.setDefaults, retention.setDefaults) a workspace without its own values
 * follows: the scheduler's due times, the retention after a scheduled backup, forget.
 */
describe('default schedule and retention policy', () => {
  let h: WorkspaceHarness & { service: string }
  let ws: RunningWorkspace
  let offset = 0
  const clock = () => Date.now() + offset

  beforeAll(async () => {
    h = await startWorkspaceHarness({ schedules: { now: clock, tickMs: null } })
    ws = await runningWorkspace(h)
  })

  afterAll(async () => {
    await h?.close({ remove: true })
  })

  const statusOf = async (id = ws.record.id) =>
    (await h.ok<ScheduleStatus[]>('schedules.status')).find((s) => s.workspaceId === id)!
  const points = async () =>
    (await h.ok<RestorePointList>('restorePoints.list', { workspaceId: ws.record.id }))
      .restorePoints

  it('starts from the built-in defaults and refuses bad ones', async () => {
    expect(await h.ok<ScheduleDefaults>('schedules.getDefaults', {})).toEqual({
      backupEveryMinutes: 120,
      verifyEveryHours: 168,
      applyRetention: true,
    })
    expect(await h.ok<RetentionPolicy>('retention.getDefaults', {})).toEqual(DEFAULT_RETENTION)
    for (const input of [
      { backupEveryMinutes: 1 },
      { verifyEveryHours: 0 },
      { applyRetention: 'yes' },
      { workspaceId: ws.record.id },
    ]) {
      expect(await h.call('schedules.setDefaults', input)).toMatchObject({
        ok: false,
        error: { code: 'invalid_input' },
      })
    }
    expect(await h.call('retention.setDefaults', { policy: { keepLast: -1 } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' },
    })
  })

  it('a changed default moves when a workspace without its own schedule is due', async () => {
    const own = { ...ws.record, id: newWorkspaceId(), name: `${ws.record.name}-own` }
    await h.core.workspaces.registry.add({ ...own, provider: 'ssh', server: null })
    await h.ok('schedules.set', { workspaceId: own.id, backupEveryMinutes: 240 })

    const before = await statusOf()
    const since = Date.parse(before.backup.nextRunAt!) - 120 * MINUTE
    h.events.length = 0
    const set = await h.ok<ScheduleDefaults>('schedules.setDefaults', {
      backupEveryMinutes: 30,
      verifyEveryHours: null,
    })
    expect(set).toEqual({ backupEveryMinutes: 30, verifyEveryHours: null, applyRetention: true })
    expect(h.events.find((e) => e.event === 'schedules.defaultsChanged')?.payload).toEqual({
      schedule: set,
      retention: DEFAULT_RETENTION,
    })
    // Every workspace's status is published again (the UI shows the new next runs).
    await vi.waitFor(() => {
      const published = h.events
        .filter((e) => e.event === 'schedules.changed')
        .map((e) => (e.payload as ScheduleStatus).workspaceId)
      expect(published).toEqual(expect.arrayContaining([ws.record.id, own.id]))
    })

    const after = await statusOf()
    expect(after.settings).toMatchObject({ backupEveryMinutes: 30, verifyEveryHours: null })
    expect(Date.parse(after.backup.nextRunAt!)).toBe(since + 30 * MINUTE)
    expect(after.verify.nextRunAt).toBeNull()
    expect(await h.ok<ScheduleSettings>('schedules.get', { workspaceId: ws.record.id })).toEqual(
      after.settings,
    )
    // The workspace with its own schedule keeps it.
    expect((await statusOf(own.id)).settings.backupEveryMinutes).toBe(240)
    await h.core.workspaces.registry.remove(own.id)

    // Due after 30 minutes now, not 120: the scheduler backs it up.
    offset = 31 * MINUTE
    const run = await h.core.scheduler.tick()
    expect(run.started.map((j) => [j.workspaceId, j.kind])).toEqual([[ws.record.id, 'backup']])
    expect((await h.finished(run.started[0]!.id)).state).toBe('succeeded')
    expect((await points()).map((p) => p.trigger)).toEqual(['schedule'])
  })

  it('retention without a policy of its own follows the default one', async () => {
    for (let i = 0; i < 2; i++) {
      await ws.ssh(`echo change ${i} >> ~/notes.txt`)
      const job = await h.ok<Job>('workspaces.backup', { id: ws.record.id })
      expect((await h.finished(job.id)).state).toBe('succeeded')
    }
    expect(await points()).toHaveLength(3)
    const defaults = await h.ok<RetentionPolicy>('retention.setDefaults', {
      policy: { keepLast: 2, keepHourly: 0, keepDaily: 0, keepWeekly: 0, keepMonthly: 0 },
    })
    expect(defaults).toEqual({
      ...DEFAULT_RETENTION,
      keepLast: 2,
      keepHourly: 0,
      keepDaily: 0,
      keepWeekly: 0,
      keepMonthly: 0,
    })
    // Fields left out stay.
    const zero = await h.ok<RetentionPolicy>('retention.setDefaults', {
      policy: { keepWithinHours: 0 },
    })
    expect(zero).toEqual({ ...defaults, keepWithinHours: 0 })
    const view = await h.ok<RetentionView>('retention.get', { workspaceId: ws.record.id })
    expect(view).toEqual({ workspaceId: ws.record.id, policy: zero, custom: false, defaults: zero })

    const dry = await h.ok<ForgetResult>('restorePoints.forget', {
      workspaceId: ws.record.id,
      dryRun: true,
    })
    expect(dry).toMatchObject({ policy: zero, kept: 2, removed: 1 })

    // The next scheduled backup applies the default policy: the last 2 stay.
    offset += 31 * MINUTE
    const run = await h.core.scheduler.tick()
    expect(run.started).toHaveLength(1)
    expect((await h.finished(run.started[0]!.id)).state).toBe('succeeded')
    expect((await statusOf()).retention.last).toMatchObject({ ok: true, kept: 2, removed: 2 })
    expect((await points()).map((p) => p.trigger)).toEqual(['manual', 'schedule'])

    // A policy of its own beats the default; null goes back to Cairn's built-in one.
    const custom = await h.ok<RetentionView>('retention.set', {
      workspaceId: ws.record.id,
      policy: { keepLast: 5 },
    })
    expect(custom).toMatchObject({ custom: true, policy: { ...zero, keepLast: 5 }, defaults: zero })
    expect(await h.ok<RetentionPolicy>('retention.setDefaults', { policy: null })).toEqual(
      DEFAULT_RETENTION,
    )
  })

  it('keeps the defaults in schedules.json across a restart', async () => {
    const doc = JSON.parse(await readFile(join(h.dataDir, SCHEDULES_FILE), 'utf8'))
    expect(doc).toMatchObject({
      schemaVersion: 2,
      defaults: { backupEveryMinutes: 30, verifyEveryHours: null, retention: null },
    })
    const { Scheduler } = await import('../../../src/main/core/schedules/scheduler')
    const again = new Scheduler(h.core.workspaces, { tickMs: null })
    try {
      expect((await again.defaults()).schedule).toEqual({
        backupEveryMinutes: 30,
        verifyEveryHours: null,
        applyRetention: true,
      })
    } finally {
      again.dispose()
    }
  })
})
