import { create } from 'zustand'
import type { Job } from '../../../shared/domain/jobs'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import type { LoadStatus } from './load'

interface JobsState {
  status: LoadStatus
  /** Newest first. */
  jobs: Job[]
  error: UiError | null
  load(): Promise<void>
  upsert(job: Job): void
  cancel(id: string): Promise<void>
}

function newestFirst(a: Job, b: Job): number {
  return b.createdAt.localeCompare(a.createdAt)
}

export const useJobs = create<JobsState>()((set, get) => ({
  status: 'idle',
  jobs: [],
  error: null,
  async load() {
    set((s) => ({ status: s.status === 'ready' ? 'ready' : 'loading', error: null }))
    try {
      const listed = await getApi()['jobs.list']({})
      // Events that arrived while the list was in flight are newer than the list's copy.
      const live = new Map(get().jobs.map((job) => [job.id, job]))
      const merged = listed.map((job) => live.get(job.id) ?? job)
      for (const job of live.values()) if (!merged.some((j) => j.id === job.id)) merged.push(job)
      set({ status: 'ready', jobs: merged.sort(newestFirst) })
    } catch (error) {
      set({ status: 'error', error: toUiError(error) })
    }
  },
  upsert(job) {
    set((s) => {
      const jobs = s.jobs.filter((j) => j.id !== job.id)
      jobs.push(job)
      return { jobs: jobs.sort(newestFirst) }
    })
  },
  async cancel(id) {
    try {
      await getApi()['jobs.cancel']({ id })
    } catch (error) {
      set({ error: toUiError(error) })
    }
  },
}))
