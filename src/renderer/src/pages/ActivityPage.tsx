import type { Job } from '../../../shared/domain/jobs'
import { Button } from '../components/Button'
import { EmptyState } from '../components/EmptyState'
import { ErrorPanel } from '../components/ErrorPanel'
import { ActivityIcon } from '../components/icons'
import { Skeleton } from '../components/Skeleton'
import { formatBytes, formatDateTime, formatDuration } from '../lib/format'
import { useJobs } from '../state/jobs'
import { Message } from '../components/Message'

const stateLabels: Record<Job['state'], string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
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

function JobRow({ job }: { job: Job }) {
  const cancel = useJobs((s) => s.cancel)
  const active = job.state === 'running' || job.state === 'queued'
  const { fraction, text } = progress(job)
  return (
    <li className="job" data-testid="job">
      <div className="job-main">
        <div className="job-title-row">
          <span className="job-title">{job.title}</span>
          <span className={`badge badge-${job.state}`}>{stateLabels[job.state]}</span>
        </div>
        <div className="job-meta">
          <span>{job.phase}</span>
          {text ? <span>{text}</span> : null}
          {active && job.rate ? <span>{formatBytes(job.rate)}/s</span> : null}
          {active && job.eta !== null ? <span>about {formatDuration(job.eta)} left</span> : null}
          <span>{formatDateTime(job.startedAt ?? job.createdAt)}</span>
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
          <p className="job-error">
            <Message text={job.error.message} />
          </p>
        ) : null}
      </div>
      {active ? (
        <Button small variant="ghost" onClick={() => void cancel(job.id)}>
          Cancel
        </Button>
      ) : null}
    </li>
  )
}

export function ActivityPage() {
  const { status, jobs, error, load } = useJobs()
  return (
    <>
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
        <ul className="job-list card" aria-label="Jobs">
          {jobs.map((job) => (
            <JobRow key={job.id} job={job} />
          ))}
        </ul>
      )}
    </>
  )
}
