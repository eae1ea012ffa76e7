import { useEffect, useState } from 'react'
import type { Job } from '../../../../../shared/domain/jobs'
import { Button } from '../../../components/Button'
import { Callout } from '../../../components/Callout'
import { Message } from '../../../components/Message'
import { getApi } from '../../../state/api'
import { useJobs } from '../../../state/jobs'
import { useNavigation } from '../../../state/navigation'
import { JobProgress } from '../../workspaces/JobProgress'

/** Something the panel started: a download or a restore, followed through its job. */
export interface PanelTask {
  kind: 'download' | 'workspace' | 'new' | 'folder'
  job: Job
  /** For people: what goes where ("notes.txt", "/home/me/restored/project"). */
  what: string
  where: string
}

const SUCCESS_TITLE: Record<PanelTask['kind'], string> = {
  download: 'Downloaded',
  workspace: 'Restored into the workspace',
  new: 'The new workspace is running',
  folder: 'Restored into the folder',
}

/**
 * Live progress of the panel's last task (the job as the core's job.updated events have it),
 * then its outcome: where the files are, the safety restore point, or what went wrong.
 */
export function TaskStatus({ task, onDismiss }: { task: PanelTask; onDismiss(): void }) {
  const live = useJobs((s) => s.jobs.find((j) => j.id === task.job.id)) ?? task.job
  const openWorkspace = useNavigation((s) => s.openWorkspace)
  const [safety, setSafety] = useState<string | null>(null)
  const done = live.state === 'succeeded'
  useEffect(() => {
    if (!done || task.kind !== 'workspace') return
    let current = true
    const api = getApi()
    void api['jobs.result']({ id: live.id })
      .then((r) => {
        if (current && r?.kind === 'restore' && r.safetyRestorePointId)
          setSafety(r.safetyRestorePointId)
      })
      .catch(() => {})
    return () => {
      current = false
    }
  }, [done, task.kind, live.id])

  if (live.state === 'running' || live.state === 'queued') {
    return (
      <div className="rp-task" data-testid="restore-task" data-state={live.state}>
        <p className="rp-task-title">
          {task.kind === 'download' ? 'Downloading' : 'Restoring'} {task.what} to{' '}
          <code>{task.where}</code>
        </p>
        <JobProgress job={live} label={live.title} />
      </div>
    )
  }
  const dismiss = (
    <Button small variant="ghost" onClick={onDismiss}>
      Dismiss
    </Button>
  )
  if (done) {
    return (
      <div className="rp-task" data-testid="restore-task" data-state="succeeded">
        <Callout
          tone="success"
          title={SUCCESS_TITLE[task.kind]}
          testId="restore-outcome"
          actions={
            <>
              {task.kind === 'new' && live.workspaceId ? (
                <Button small onClick={() => openWorkspace(live.workspaceId!)}>
                  Open the new workspace
                </Button>
              ) : null}
              {dismiss}
            </>
          }
        >
          <p>
            {task.kind === 'download' ? 'Saved to ' : task.kind === 'new' ? '' : 'Written to '}
            {task.kind === 'new' ? `${task.where} started from this restore point.` : null}
            {task.kind !== 'new' ? <code data-testid="restore-saved-to">{task.where}</code> : null}
          </p>
          {task.kind === 'workspace' && safety ? (
            <p>
              The state before the restore is kept as restore point {safety.slice(0, 8)} (before
              restore).
            </p>
          ) : null}
        </Callout>
      </div>
    )
  }
  return (
    <div className="rp-task" data-testid="restore-task" data-state={live.state}>
      <Callout
        tone={live.state === 'cancelled' ? 'info' : 'error'}
        title={
          live.state === 'cancelled'
            ? 'Cancelled'
            : task.kind === 'download'
              ? 'The download failed'
              : 'The restore failed'
        }
        testId="restore-outcome"
        actions={dismiss}
      >
        {live.error ? (
          <p>
            <Message text={live.error.message} />
          </p>
        ) : null}
      </Callout>
    </div>
  )
}
