import type { Job } from '../../../shared/domain/jobs'

/** The Activity filters; '' means any. */
export interface ActivityFilter {
  kind: Job['kind'] | ''
  /** A job state, or 'active' for queued and running together. */
  state: Job['state'] | 'active' | ''
  /** A workspace id, or 'none' for jobs of no workspace (prune, key rotation). */
  workspaceId: string
  text: string
}

export const emptyActivityFilter: ActivityFilter = {
  kind: '',
  state: '',
  workspaceId: '',
  text: '',
}

/**
 * The jobs that match every filter, in the given order (the store keeps newest first). The text
 * matches the title, phase, error and the workspace's name, case-insensitively.
 */
export function filterJobs(
  jobs: readonly Job[],
  filter: ActivityFilter,
  nameOf: (workspaceId: string) => string | null,
): Job[] {
  const text = filter.text.trim().toLowerCase()
  return jobs.filter((job) => {
    if (filter.kind && job.kind !== filter.kind) return false
    if (filter.state === 'active') {
      if (job.state !== 'queued' && job.state !== 'running') return false
    } else if (filter.state && job.state !== filter.state) return false
    if (filter.workspaceId === 'none') {
      if (job.workspaceId) return false
    } else if (filter.workspaceId && job.workspaceId !== filter.workspaceId) return false
    if (!text) return true
    const haystack = [
      job.title,
      job.phase,
      job.error?.message ?? '',
      job.workspaceId ? (nameOf(job.workspaceId) ?? '') : '',
    ]
      .join('\n')
      .toLowerCase()
    return haystack.includes(text)
  })
}

/** Seconds a job ran (or has been running, at `now`); null before it started. */
export function jobDurationSeconds(job: Job, now: number): number | null {
  if (!job.startedAt) return null
  const start = Date.parse(job.startedAt)
  const end = job.finishedAt ? Date.parse(job.finishedAt) : now
  if (!Number.isFinite(start) || !Number.isFinite(end)) return null
  return Math.max(0, (end - start) / 1000)
}
