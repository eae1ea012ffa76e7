import { useWindowVirtualizer } from '@tanstack/react-virtual'
import { useMemo, useState } from 'react'
import type { Job } from '../../../shared/domain/jobs'
import { jobKinds } from '../../../shared/domain/jobs'
import { Button } from '../components/Button'
import { EmptyState } from '../components/EmptyState'
import { ErrorPanel } from '../components/ErrorPanel'
import { ActivityIcon } from '../components/icons'
import { Message } from '../components/Message'
import { Skeleton } from '../components/Skeleton'
import { formatBytes, formatDateTime, formatDuration } from '../lib/format'
import { useScrollMargin } from '../lib/use-scroll-margin'
import {
  emptyActivityFilter,
  filterJobs,
  jobDurationSeconds,
  type ActivityFilter,
} from '../lib/workspace-activity'
import { useClock } from '../state/clock'
import { useJobs } from '../state/jobs'
import { useNavigation } from '../state/navigation'
import { useWorkspaces } from '../state/workspaces'

const stateLabels: Record<Job['state'], string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
}

const kindLabels: Record<Job['kind'], string> = {
  create: 'Create',
  backup: 'Backup',
  restore: 'Restore',
  verify: 'Verify',
  stop: 'Stop',
  start: 'Start',
  delete: 'Delete',
  prune: 'Prune',
  check: 'Check',
  'storage-test': 'Storage test',
}

function progress(job: Job): { fraction: number | null; text: string } {
  if (job.bytesTotal) {
    const fraction = Math.min(1, job.bytesDone / job.bytesTotal)
    return { fraction, text: `${formatBytes(job.bytesDone)} of ${formatBytes(job.bytesTotal)}` }
  }
  if (job.filesTotal) {
    const fraction = Math.min(1, job.filesDone / job.filesTotal)
    return { fraction, text: `${job.filesDone} of ${job.filesTotal} files` }
  }
  return { fraction: null, text: job.bytesDone ? formatBytes(job.bytesDone) : '' }
}

function JobRow({ job, workspaceName }: { job: Job; workspaceName: string | null }) {
  const cancel = useJobs((s) => s.cancel)
  const now = useClock((s) => s.now)
  const active = job.state === 'running' || job.state === 'queued'
  const { fraction, text } = progress(job)
  const duration = jobDurationSeconds(job, now)
  return (
    <div className="job" data-testid="job" data-state={job.state} data-kind={job.kind}>
      <div className="job-main">
        <div className="job-title-row">
          <span className="job-title">{job.title}</span>
          <span className={`badge badge-${job.state}`} data-testid="job-state">
            {stateLabels[job.state]}
          </span>
        </div>
        <div className="job-meta">
          <span>{kindLabels[job.kind]}</span>
          {workspaceName && job.workspaceId ? (
            <button
              type="button"
              className="job-workspace"
              onClick={() => useNavigation.getState().openWorkspace(job.workspaceId!)}
            >
              {workspaceName}
            </button>
          ) : null}
          <span>{formatDateTime(job.startedAt ?? job.createdAt)}</span>
          {duration !== null ? (
            <span data-testid="job-duration">
              {active ? 'for ' : 'took '}
              {!active && duration < 1 ? 'under a second' : formatDuration(duration)}
            </span>
          ) : null}
          {active ? <span>{job.phase}</span> : null}
          {text ? <span>{text}</span> : null}
          {active && job.rate ? <span>{formatBytes(job.rate)}/s</span> : null}
          {active && job.eta !== null ? <span>about {formatDuration(job.eta)} left</span> : null}
        </div>
        {active ? (
          <div
            className="progress"
            role="progressbar"
            aria-label={job.title}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
          >
            <div
              className={`progress-bar${fraction === null ? ' progress-indeterminate' : ''}`}
              style={fraction === null ? undefined : { width: `${fraction * 100}%` }}
            />
          </div>
        ) : null}
        {job.error ? (
          <p className="job-error" data-testid="job-error" data-error-code={job.error.code}>
            <Message text={job.error.message} />
          </p>
        ) : null}
      </div>
      {active ? (
        <Button small variant="ghost" onClick={() => void cancel(job.id)}>
          Cancel
        </Button>
      ) : null}
    </div>
  )
}

function Filters({
  filter,
  onChange,
  kinds,
  workspaces,
}: {
  filter: ActivityFilter
  onChange(patch: Partial<ActivityFilter>): void
  kinds: readonly Job['kind'][]
  workspaces: readonly { id: string; name: string }[]
}) {
  return (
    <div className="activity-filters" role="search" aria-label="Filter activity">
      <label className="activity-filter">
        <span className="field-label">Search</span>
        <input
          className="input"
          type="search"
          name="activityText"
          aria-label="Search"
          placeholder="Title, error or workspace"
          value={filter.text}
          onChange={(e) => onChange({ text: e.target.value })}
        />
      </label>
      <label className="activity-filter">
        <span className="field-label">Kind</span>
        <select
          className="input"
          name="activityKind"
          aria-label="Kind"
          value={filter.kind}
          onChange={(e) => onChange({ kind: e.target.value as ActivityFilter['kind'] })}
        >
          <option value="">Any kind</option>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {kindLabels[k]}
            </option>
          ))}
        </select>
      </label>
      <label className="activity-filter">
        <span className="field-label">Outcome</span>
        <select
          className="input"
          name="activityState"
          aria-label="Outcome"
          value={filter.state}
          onChange={(e) => onChange({ state: e.target.value as ActivityFilter['state'] })}
        >
          <option value="">Any outcome</option>
          <option value="active">Running or queued</option>
          <option value="succeeded">Done</option>
          <option value="failed">Failed</option>
          <option value="cancelled">Cancelled</option>
        </select>
      </label>
      <label className="activity-filter">
        <span className="field-label">Workspace</span>
        <select
          className="input"
          name="activityWorkspace"
          aria-label="Workspace"
          value={filter.workspaceId}
          onChange={(e) => onChange({ workspaceId: e.target.value })}
        >
          <option value="">Any workspace</option>
          {workspaces.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
          <option value="none">Not of a workspace</option>
        </select>
      </label>
    </div>
  )
}

/** The jobs, virtualised against the document's scroll (only those near the viewport exist). */
function JobList({ jobs, nameOf }: { jobs: Job[]; nameOf: (id: string) => string | null }) {
  const { listRef, margin } = useScrollMargin()
  const virtualizer = useWindowVirtualizer({
    count: jobs.length,
    estimateSize: () => 64,
    overscan: 8,
    scrollMargin: margin,
    getItemKey: (index) => jobs[index]?.id ?? index,
  })
  return (
    <div
      ref={listRef}
      className="job-list card activity-list"
      role="list"
      aria-label="Jobs"
      style={{ height: virtualizer.getTotalSize() }}
    >
      {virtualizer.getVirtualItems().map((item) => {
        const job = jobs[item.index]
        if (!job) return null
        return (
          <div
            key={item.key}
            role="listitem"
            data-index={item.index}
            ref={virtualizer.measureElement}
            className="activity-item"
            style={{ transform: `translateY(${item.start - virtualizer.options.scrollMargin}px)` }}
          >
            <JobRow job={job} workspaceName={job.workspaceId ? nameOf(job.workspaceId) : null} />
          </div>
        )
      })}
    </div>
  )
}

export function ActivityPage() {
  const { status, jobs, error, load } = useJobs()
  const list = useWorkspaces((s) => s.list)
  const [filter, setFilter] = useState<ActivityFilter>(emptyActivityFilter)
  const names = useMemo(() => {
    const map = new Map<string, string>()
    for (const w of list?.workspaces ?? []) map.set(w.id, w.name)
    return map
  }, [list])
  const nameOf = (id: string) => names.get(id) ?? null
  const kinds = jobKinds.filter((k) => jobs.some((j) => j.kind === k))
  const workspaces = [...new Set(jobs.map((j) => j.workspaceId).filter((id) => id !== null))]
    .map((id) => ({ id, name: names.get(id) ?? `deleted (${id.slice(0, 8)})` }))
    .sort((a, b) => a.name.localeCompare(b.name))
  const shown = filterJobs(jobs, filter, nameOf)
  const filtered = shown.length !== jobs.length
  return (
    <div className="activity-page" data-testid="activity-page">
      {status === 'error' && error ? (
        <ErrorPanel
          error={error}
          title="Could not load the activity list"
          onRetry={() => void load()}
        />
      ) : status !== 'ready' ? (
        <div className="card">
          <Skeleton label="Loading activity" lines={3} />
        </div>
      ) : jobs.length === 0 ? (
        <EmptyState icon={<ActivityIcon size={28} />} title="Nothing has happened yet">
          <p>
            Every backup, restore, check and stop Cairn runs will be listed here, with its progress
            while it runs and its result afterwards.
          </p>
        </EmptyState>
      ) : (
        <>
          <Filters
            filter={filter}
            onChange={(patch) => setFilter((f) => ({ ...f, ...patch }))}
            kinds={kinds}
            workspaces={workspaces}
          />
          <p className="activity-count muted" role="status" data-testid="activity-count">
            {filtered ? `${shown.length} of ${jobs.length} jobs` : `${jobs.length} jobs`}, newest
            first
            {filtered ? (
              <Button small variant="ghost" onClick={() => setFilter(emptyActivityFilter)}>
                Clear filters
              </Button>
            ) : null}
          </p>
          {shown.length === 0 ? (
            <div className="card section activity-none" data-testid="activity-no-match">
              <p>No job matches these filters.</p>
            </div>
          ) : (
            <JobList jobs={shown} nameOf={nameOf} />
          )}
        </>
      )}
    </div>
  )
}
