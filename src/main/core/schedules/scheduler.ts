import type { Job } from '../../../shared/domain/jobs'
import type {
  ForgetResult,
  MaintenanceDefaults,
  RetentionPolicy,
  ScheduleDefaults,
  ScheduleSettings,
  ScheduleStatus,
} from '../../../shared/domain/schedules'
import type { WorkspaceRecord } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import type { JobContext } from '../jobs/job-runner'
import { openWorkspace } from '../repo'
import { applyRetention } from '../retention/apply-retention'
import { DEFAULT_RETENTION, mergePolicy } from '../retention/policy'
import { measureStorage } from '../workspaces/storage-use'
import { backupWorkspace } from '../workspaces/workspace-backup'
import type { WorkspaceContext } from '../workspaces/workspace-context'
import { nextDueMs, type DueInput } from './due'
import { effectiveSettings } from './effective-settings'
import {
  retentionDefaultsOf,
  scheduleDefaultsOf,
  ScheduleStore,
  type ScheduleEntry,
} from './schedule-store'
import { verifySample } from './scheduled-verify'

export interface SchedulerOptions {
  /** The clock (tests move it). */
  now?: () => number
  /** How often the scheduler looks for due work (ms); default one minute. null: never by itself. */
  tickMs?: number | null
  /** A failed scheduled run is tried again after this long (ms), if sooner; default 15 minutes. */
  retryMs?: number
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** What a tick started. */
export interface TickResult {
  started: Job[]
  /** Workspaces whose due work was skipped because another job runs on them. */
  skippedBusy: string[]
}

/**
 * The core's scheduler: per workspace, a periodic backup while it runs (trigger `schedule`,
 * followed by its retention policy) and a periodic verify of a sample of its restore points.
 * Due times come from the last runs persisted in schedules.json, never from timers alone: the
 * timer only wakes the scheduler up (every minute), so a laptop that slept or a Cairn that was
 * closed runs each overdue task once at the next tick. A workspace busy with another job is
 * skipped and looked at again on the next tick (no queue of scheduled jobs builds up).
 */
export class Scheduler {
  readonly store: ScheduleStore
  private readonly now: () => number
  private readonly retryMs: number
  private timer: NodeJS.Timeout | null = null
  private ticking: Promise<TickResult> | null = null
  private disposed = false

  constructor(
    private readonly ctx: WorkspaceContext,
    private readonly options: SchedulerOptions = {},
  ) {
    this.now = options.now ?? Date.now
    this.retryMs = options.retryMs ?? 15 * MINUTE
    this.store = new ScheduleStore(ctx.s.dataDir, this.now)
    this.store.onChange((id) => void this.publish(id))
    this.store.onDefaultsChange(() => void this.publishDefaults())
    // A deleted workspace's schedules and results go with it.
    ctx.registry.onChange((id, record) => {
      if (record === null) void this.store.remove(id).catch(() => {})
    })
  }

  /** Starts ticking after the core's start-up (recovery of interrupted operations) finished. */
  start(): void {
    const tickMs = this.options.tickMs === undefined ? MINUTE : this.options.tickMs
    void this.ctx.startup().then(() => {
      if (this.disposed) return
      void this.tick().catch((e: unknown) => this.ctx.s.logger.error('scheduler tick failed', e))
      if (tickMs === null) return
      this.timer = setInterval(() => {
        void this.tick().catch((e: unknown) => this.ctx.s.logger.error('scheduler tick failed', e))
      }, tickMs)
      this.timer.unref()
    })
  }

  dispose(): void {
    this.disposed = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  /** Looks at every workspace once and starts what is due. One tick at a time. */
  tick(): Promise<TickResult> {
    if (this.ticking) return this.ticking
    this.ticking = this.runTick().finally(() => (this.ticking = null))
    return this.ticking
  }

  settingsOf(
    workspaceId: string,
    entry: ScheduleEntry,
    defaults: ScheduleDefaults,
  ): ScheduleSettings {
    return effectiveSettings(workspaceId, entry, defaults)
  }

  /** What workspaces without schedules of their own follow. */
  async scheduleDefaults(): Promise<ScheduleDefaults> {
    return scheduleDefaultsOf(await this.store.defaults())
  }

  /** The policy of workspaces without one of their own. */
  async retentionDefaults(): Promise<RetentionPolicy> {
    return retentionDefaultsOf(await this.store.defaults(), DEFAULT_RETENTION)
  }

  async defaults(): Promise<MaintenanceDefaults> {
    const stored = await this.store.defaults()
    return {
      schedule: scheduleDefaultsOf(stored),
      retention: retentionDefaultsOf(stored, DEFAULT_RETENTION),
    }
  }

  /** A workspace's schedule as it applies now (its own values over the defaults). */
  async effectiveOf(workspaceId: string, entry: ScheduleEntry): Promise<ScheduleSettings> {
    return this.settingsOf(workspaceId, entry, await this.scheduleDefaults())
  }

  /** A workspace's retention policy as it applies now (its own over the defaults). */
  async policyOf(entry: ScheduleEntry): Promise<RetentionPolicy> {
    return mergePolicy(await this.retentionDefaults(), entry.retention)
  }

  async status(): Promise<ScheduleStatus[]> {
    const out: ScheduleStatus[] = []
    for (const record of await this.ctx.registry.list()) out.push(await this.statusOf(record))
    return out
  }

  async statusOf(record: WorkspaceRecord): Promise<ScheduleStatus> {
    const entry = await this.store.get(record.id)
    const defaults = await this.scheduleDefaults()
    const settings = this.settingsOf(record.id, entry, defaults)
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
    return {
      workspaceId: record.id,
      name: record.name,
      settings,
      backup: {
        nextRunAt: canBackUp(record)
          ? iso(nextDueMs(this.backupDue(record, entry, defaults)))
          : null,
        last: entry.lastBackup,
      },
      verify: {
        nextRunAt: record.lastBackup ? iso(nextDueMs(this.verifyDue(entry, defaults))) : null,
        last: entry.lastVerify,
      },
      retention: { last: entry.lastRetention },
    }
  }

  private async publish(workspaceId: string): Promise<void> {
    const record = await this.ctx.registry.get(workspaceId).catch(() => null)
    if (!record) return
    try {
      this.ctx.s.events.emit('schedules.changed', await this.statusOf(record))
    } catch (error) {
      this.ctx.s.logger.warn('could not publish a schedule change', {
        workspace: workspaceId,
        reason: error instanceof Error ? error.message : String(error),
      })
    }
  }

  /** Every workspace's status changed with the defaults: the UI hears about each. */
  private async publishDefaults(): Promise<void> {
    try {
      this.ctx.s.events.emit('schedules.defaultsChanged', await this.defaults())
      for (const record of await this.ctx.registry.list()) await this.publish(record.id)
    } catch (error) {
      this.ctx.s.logger.warn('could not publish a change of the defaults', {
        reason: error instanceof Error ? error.message : String(error),
      })
    }
  }

  private backupDue(
    record: WorkspaceRecord,
    entry: ScheduleEntry,
    defaults: ScheduleDefaults,
  ): DueInput {
    const { backupEveryMinutes } = this.settingsOf(record.id, entry, defaults)
    return {
      everyMs: backupEveryMinutes === null ? null : backupEveryMinutes * MINUTE,
      lastRunMs: entry.lastBackup ? Date.parse(entry.lastBackup.at) : null,
      lastFailed: entry.lastBackup ? !entry.lastBackup.ok : false,
      sinceMs: Date.parse(entry.since),
      // A backup of any kind (Back up now, a stop's) pushes the next scheduled one out.
      otherRunMs: record.lastBackup ? Date.parse(record.lastBackup.time) : null,
      retryMs: this.retryMs,
    }
  }

  private verifyDue(entry: ScheduleEntry, defaults: ScheduleDefaults): DueInput {
    const hours = this.settingsOf('', entry, defaults).verifyEveryHours
    return {
      everyMs: hours === null ? null : hours * HOUR,
      lastRunMs: entry.lastVerify ? Date.parse(entry.lastVerify.at) : null,
      // A damaged verify is not retried sooner: it found damage, and trying again changes nothing.
      lastFailed: entry.lastVerify
        ? !entry.lastVerify.ok && entry.lastVerify.jobId === null
        : false,
      sinceMs: Date.parse(entry.since),
      retryMs: this.retryMs,
    }
  }

  private async runTick(): Promise<TickResult> {
    const result: TickResult = { started: [], skippedBusy: [] }
    if (this.disposed) return result
    // Without storage or a master key nothing can run; that is Settings' message, not a failure
    // recorded every minute.
    try {
      await this.ctx.backup.configuredStore().then((c) => c.close())
      await this.ctx.backup.masterKeys.require()
    } catch {
      return result
    }
    const nowMs = this.now()
    const defaults = await this.scheduleDefaults()
    for (const record of await this.ctx.registry.list()) {
      if (record.pending) continue
      const entry = await this.store.get(record.id)
      const busy = () =>
        this.ctx.s.jobs
          .list()
          .some(
            (j) => j.workspaceId === record.id && (j.state === 'running' || j.state === 'queued'),
          )
      const backupDue = nextDueMs(this.backupDue(record, entry, defaults))
      if (canBackUp(record) && backupDue !== null && nowMs >= backupDue) {
        if (busy()) result.skippedBusy.push(record.id)
        else {
          const job = this.startBackup(record, nowMs)
          if (job) result.started.push(job)
          continue
        }
      }
      const verifyDue = nextDueMs(this.verifyDue(entry, defaults))
      if (record.lastBackup && verifyDue !== null && nowMs >= verifyDue) {
        if (busy()) {
          if (!result.skippedBusy.includes(record.id)) result.skippedBusy.push(record.id)
        } else {
          const job = this.startVerify(record, nowMs)
          if (job) result.started.push(job)
        }
      }
    }
    return result
  }

  private startBackup(record: WorkspaceRecord, nowMs: number): Job | null {
    const at = new Date(nowMs).toISOString()
    try {
      return this.ctx.s.jobs.start(
        'backup',
        { workspaceId: record.id, title: `Scheduled backup of ${record.name}` },
        async (job) => {
          try {
            const current = await this.ctx.registry.require(record.id)
            const { restorePoint } = await backupWorkspace(this.ctx, current, {
              trigger: 'schedule',
              job,
            })
            await this.store.update(record.id, (e) => {
              e.lastBackup = {
                at,
                ok: true,
                message: `Restore point ${restorePoint.id.slice(0, 8)} made.`,
                jobId: job.id,
              }
            })
          } catch (error) {
            await this.store
              .update(record.id, (e) => {
                e.lastBackup = { at, ok: false, message: messageOf(error), jobId: job.id }
              })
              .catch(() => {})
            throw error
          }
          // Read when the backup is done: a change of settings meanwhile counts.
          const settings = await this.effectiveOf(record.id, await this.store.get(record.id))
          if (settings.applyRetention) {
            await this.retention(record, job, at)
          }
        },
      )
    } catch (error) {
      // Another job started between the check and here: next tick.
      if (error instanceof CairnError && error.code === 'conflict') return null
      throw error
    }
  }

  /** The workspace's policy after a scheduled backup; a failure is recorded, never the job's. */
  private async retention(record: WorkspaceRecord, job: JobContext, at: string): Promise<void> {
    job.progress({ phase: 'applying retention' })
    const entry = await this.store.get(record.id)
    try {
      const { repo, close } = await this.ctx.backup.openRepository(job.signal)
      try {
        const workspace = await openWorkspace(repo, record.id, { signal: job.signal })
        const result = await applyRetention(workspace, {
          policy: await this.policyOf(entry),
          dryRun: false,
          holder: `retention after scheduled backup job ${job.id} of workspace ${record.name}`,
          signal: job.signal,
        })
        await this.store.update(record.id, (e) => {
          e.lastRetention = {
            at,
            ok: true,
            message:
              result.removed === 0
                ? 'Nothing to forget.'
                : `Forgot ${result.removed} restore point${result.removed === 1 ? '' : 's'}.`,
            jobId: job.id,
            kept: result.kept,
            removed: result.removed,
          }
        })
        if (result.removed > 0) {
          this.publishRemoved(record.id, result)
          await this.refreshStorage(record.id, repo.store, job.signal)
        }
      } finally {
        close()
      }
    } catch (error) {
      this.ctx.s.logger.warn('retention after a scheduled backup failed', {
        workspace: record.id,
        reason: messageOf(error),
      })
      await this.store
        .update(record.id, (e) => {
          e.lastRetention = {
            at,
            ok: false,
            message: messageOf(error),
            jobId: job.id,
            kept: 0,
            removed: 0,
          }
        })
        .catch(() => {})
    }
  }

  /** Tells the UI which restore points a forget removed. */
  publishRemoved(workspaceId: string, result: ForgetResult): void {
    this.ctx.s.events.emit('restorePoints.removed', {
      workspaceId,
      restorePointIds: result.decisions.filter((d) => !d.keep).map((d) => d.restorePointId),
    })
  }

  /** After restore points were forgotten: the list shows the new count and bytes. */
  async refreshStorage(
    workspaceId: string,
    store: Parameters<typeof measureStorage>[0],
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      this.ctx.storage.set(workspaceId, await measureStorage(store, workspaceId, signal))
      const record = await this.ctx.registry.get(workspaceId)
      if (record) {
        this.ctx.s.events.emit('workspaces.changed', {
          id: workspaceId,
          workspace: this.ctx.view(record),
        })
      }
    } catch {
      // The next backup or reconcile measures again.
    }
  }

  private startVerify(record: WorkspaceRecord, nowMs: number): Job | null {
    const at = new Date(nowMs).toISOString()
    try {
      return this.ctx.s.jobs.start(
        'verify',
        { workspaceId: record.id, title: `Scheduled verify of ${record.name}` },
        async (job) => {
          let result
          try {
            const { repo, close } = await this.ctx.backup.openRepository(job.signal)
            try {
              result = await verifySample(repo, record.id, job, at)
            } finally {
              close()
            }
          } catch (error) {
            // Could not verify at all (storage unreachable): retried sooner, see verifyDue.
            await this.store
              .update(record.id, (e) => {
                e.lastVerify = {
                  at,
                  ok: false,
                  message: messageOf(error),
                  jobId: null,
                  restorePointsChecked: [],
                  damagedRestorePoints: [],
                  problems: [],
                }
              })
              .catch(() => {})
            throw error
          }
          await this.store.update(record.id, (e) => {
            e.lastVerify = result
          })
          this.ctx.s.logger.info('scheduled verify finished', {
            workspace: record.id,
            ok: result.ok,
            restorePoints: result.restorePointsChecked.length,
            problems: result.problems.length,
          })
          if (!result.ok) throw new CairnError('storage_failed', result.message ?? 'Damage found.')
        },
      )
    } catch (error) {
      if (error instanceof CairnError && error.code === 'conflict') return null
      throw error
    }
  }
}

/** Running and reachable: a Hetzner server that runs, or the user's own SSH host. */
export function canBackUp(record: WorkspaceRecord): boolean {
  if (record.ssh === null || record.pending) return false
  if (record.provider === 'ssh') return true
  return record.server !== null && record.state === 'running'
}

function messageOf(error: unknown): string {
  if (error instanceof CairnError && error.code !== 'internal') return error.message
  return 'Cairn hit an unexpected problem (the details are in its log).'
}
