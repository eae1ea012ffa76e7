import { create } from 'zustand'
import type { JobResult } from '../../../shared/domain/backup'
import type { Job } from '../../../shared/domain/jobs'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import { useJobs } from './jobs'

export type MaintenanceKind = 'check' | 'prune-preview' | 'prune' | 'repair'
export type MaintenanceSlot = 'check' | 'prune' | 'repair'

/** One maintenance run: the job (its progress comes from the jobs store) and, when done, its result. */
export interface MaintenanceRun {
  kind: MaintenanceKind
  jobId: string | null
  /** The workspace (prune, repair) or null (a check of every workspace). */
  workspaceId: string | null
  starting: boolean
  error: UiError | null
  result: JobResult | null
}

interface MaintenanceState {
  runs: Partial<Record<MaintenanceSlot, MaintenanceRun>>
  /** repository.check of one workspace or all, reading back `readData` of the data. */
  check(workspaceId: string | null, readData: number): Promise<void>
  /** repository.prune of a workspace; `dryRun` lists what would be freed and changes nothing. */
  prune(workspaceId: string, dryRun: boolean): Promise<void>
  /** repository.repairIndex of a workspace: its index rebuilt from the packs' headers. */
  repair(workspaceId: string): Promise<void>
  /** Called when the run's job finished: fetches jobs.result. */
  finished(slot: MaintenanceSlot, job: Job): Promise<void>
  clear(slot: MaintenanceSlot): void
}

/**
 * Check the repository, rebuild an index and Prune now, started from Settings; progress and
 * outcome come from jobs.
 */
export const useMaintenance = create<MaintenanceState>()((set, get) => {
  const start = async (
    slot: MaintenanceSlot,
    kind: MaintenanceKind,
    workspaceId: string | null,
    call: () => Promise<Job>,
  ) => {
    set((s) => ({
      runs: {
        ...s.runs,
        [slot]: { kind, jobId: null, workspaceId, starting: true, error: null, result: null },
      },
    }))
    try {
      const job = await call()
      useJobs.getState().upsert(job)
      set((s) => ({
        runs: { ...s.runs, [slot]: { ...s.runs[slot]!, jobId: job.id, starting: false } },
      }))
    } catch (error) {
      set((s) => ({
        runs: { ...s.runs, [slot]: { ...s.runs[slot]!, starting: false, error: toUiError(error) } },
      }))
    }
  }
  return {
    runs: {},
    check: (workspaceId, readData) => {
      // A new check supersedes the outcome of a repair made after the previous one.
      get().clear('repair')
      return start('check', 'check', workspaceId, () =>
        getApi()['repository.check']({ ...(workspaceId ? { workspaceId } : {}), readData }),
      )
    },
    repair: (workspaceId) =>
      start('repair', 'repair', workspaceId, () =>
        getApi()['repository.repairIndex']({ workspaceId }),
      ),
    prune: (workspaceId, dryRun) =>
      start('prune', dryRun ? 'prune-preview' : 'prune', workspaceId, () =>
        getApi()['repository.prune']({ workspaceId, dryRun }),
      ),
    async finished(slot, job) {
      const run = get().runs[slot]
      if (!run || run.jobId !== job.id || run.result) return
      try {
        const result = await getApi()['jobs.result']({ id: job.id })
        set((s) => ({ runs: { ...s.runs, [slot]: { ...s.runs[slot]!, result } } }))
      } catch (error) {
        set((s) => ({ runs: { ...s.runs, [slot]: { ...s.runs[slot]!, error: toUiError(error) } } }))
      }
    },
    clear(slot) {
      set((s) => ({ runs: { ...s.runs, [slot]: undefined } }))
    },
  }
})
