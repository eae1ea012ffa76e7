import { useEffect } from 'react'
import { Button } from '../../components/Button'
import { Spinner } from '../../components/Spinner'
import { useJobs } from '../../state/jobs'
import { resetCreateDraft, useWorkspaceCreate } from '../../state/workspace-create'
import { CreateFailed } from './CreateFields'
import { JobProgress } from './JobProgress'

/** The create job the form started: its progress, then (on failure) why and a way back. */
export function CreateProgress({ jobId, name }: { jobId: string; name: string }) {
  const job = useJobs((s) => s.jobs.find((j) => j.id === jobId) ?? null)
  const close = useWorkspaceCreate((s) => s.close)
  const succeeded = job?.state === 'succeeded'
  // Done: the workspace's own card takes over.
  useEffect(() => {
    if (succeeded) resetCreateDraft()
  }, [succeeded])

  return (
    <section
      className="card section ws-create"
      aria-labelledby="create-progress-heading"
      data-testid="create-progress"
      data-state={job?.state ?? 'queued'}
    >
      <h2 className="ws-section-title" id="create-progress-heading">
        Creating <span className="mono">{name}</span>
      </h2>
      {!job ? (
        <p className="status-line">
          <Spinner size={12} /> Waiting for Cairn to start the job…
        </p>
      ) : job.state === 'running' || job.state === 'queued' ? (
        <>
          <p className="muted">
            Hetzner creates the server, then Cairn waits until SSH answers with the host key it
            generated and cloud-init has finished. This takes a minute or two.
          </p>
          <JobProgress job={job} label={`Creating ${name}`} />
        </>
      ) : job.state === 'failed' || job.state === 'cancelled' ? (
        <CreateFailed
          job={job}
          name={name}
          leftover="Any server Cairn had started for it is deleted or listed below."
          actions={
            <Button small variant="ghost" onClick={close}>
              Close
            </Button>
          }
        />
      ) : null}
    </section>
  )
}
