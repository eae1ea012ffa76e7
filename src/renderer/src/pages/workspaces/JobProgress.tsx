import type { Job } from '../../../../shared/domain/jobs'
import { Button } from '../../components/Button'
import { formatBytes, formatDuration } from '../../lib/format'
import { jobFraction } from '../../lib/workspace-format'
import { useJobs } from '../../state/jobs'

/** Phases come from the core in lower case ("backing up"); shown as a sentence. */
function sentence(phase: string): string {
  return phase ? `${phase[0]?.toUpperCase() ?? ''}${phase.slice(1)}` : 'Starting'
}

/**
 * A running job as one block: its phase, a progress bar (percent when the core knows a total,
 * indeterminate otherwise), bytes, rate and time left when known, and Cancel.
 */
export function JobProgress({ job, label }: { job: Job; label?: string }) {
  const cancel = useJobs((s) => s.cancel)
  const fraction = jobFraction(job)
  const percent = fraction === null ? null : Math.round(fraction * 100)
  const details: string[] = []
  if (job.bytesTotal)
    details.push(`${formatBytes(job.bytesDone)} of ${formatBytes(job.bytesTotal)}`)
  else if (job.bytesDone) details.push(formatBytes(job.bytesDone))
  if (!job.bytesTotal && job.filesTotal) details.push(`${job.filesDone} of ${job.filesTotal} files`)
  if (job.rate) details.push(`${formatBytes(job.rate)}/s`)
  if (job.eta !== null) details.push(`about ${formatDuration(job.eta)} left`)
  return (
    <div className="ws-job" data-testid="job-progress" data-job-kind={job.kind}>
      <div className="ws-job-row">
        <span className="ws-job-phase" role="status">
          {job.state === 'queued' ? 'Waiting for another job to finish' : sentence(job.phase)}
          {percent !== null ? <span className="ws-job-percent"> · {percent}%</span> : null}
        </span>
        <Button
          small
          variant="ghost"
          aria-label={`Cancel ${label ?? job.title}`}
          onClick={() => void cancel(job.id)}
        >
          Cancel
        </Button>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={label ?? job.title}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
      >
        <div
          className={`progress-bar${percent === null ? ' progress-indeterminate' : ''}`}
          style={percent === null ? undefined : { width: `${percent}%` }}
        />
      </div>
      {details.length > 0 ? <p className="ws-job-details">{details.join(' · ')}</p> : null}
    </div>
  )
}
