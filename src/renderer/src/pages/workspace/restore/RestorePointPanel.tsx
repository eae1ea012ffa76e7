import { useEffect, useId, useMemo, useState } from 'react'
import type { BrowseEntry, RestorePoint } from '../../../../../shared/domain/backup'
import type { WorkspaceView } from '../../../../../shared/domain/workspace'
import { Button } from '../../../components/Button'
import { ErrorPanel } from '../../../components/ErrorPanel'
import { Skeleton } from '../../../components/Skeleton'
import { toUiError, type UiError } from '../../../lib/errors'
import { formatBytes, formatDateTime } from '../../../lib/format'
import { getApi } from '../../../state/api'
import { useJobs } from '../../../state/jobs'
import { Breadcrumbs } from './Breadcrumbs'
import { joinPath, sortEntries } from './entry-format'
import { FileList } from './FileList'
import { RestoreDialog, type StartedRestore } from './RestoreDialog'
import type { Selection } from './restore-targets'
import { TaskStatus, type PanelTask } from './TaskStatus'
import { useBrowse } from './use-browse'

export interface RestorePointPanelProps {
  workspace: WorkspaceView
  restorePoint: RestorePoint
  onClose(): void
}

/**
 * One restore point opened from the timeline: browse its files (breadcrumbs, a virtualised list
 * with sizes, modes and times), download a file or folder to this computer's Downloads folder,
 * and restore a file, a folder or everything into the workspace, a new workspace or a folder.
 */
export function RestorePointPanel({
  workspace: ws,
  restorePoint,
  onClose,
}: RestorePointPanelProps) {
  const titleId = useId()
  const [path, setPath] = useState('')
  const { state, retry } = useBrowse(ws.id, restorePoint.id, path)
  const [restoring, setRestoring] = useState<Selection | null>(null)
  const [task, setTask] = useState<PanelTask | null>(null)
  const [actionError, setActionError] = useState<UiError | null>(null)
  const busy = useJobs((s) =>
    s.jobs.some(
      (j) =>
        j.workspaceId === ws.id &&
        (j.state === 'running' || j.state === 'queued') &&
        j.kind !== 'verify' &&
        j.kind !== 'check' &&
        !j.title.startsWith('Download '),
    ),
  )
  const entries = useMemo(
    () => (state.status === 'ready' ? sortEntries(state.data.entries) : []),
    [state],
  )

  useEffect(() => {
    setPath('')
    setTask(null)
    setActionError(null)
  }, [restorePoint.id])

  const download = async (selection: Selection) => {
    setActionError(null)
    try {
      const out = await getApi()['restorePoints.download']({
        workspaceId: ws.id,
        restorePoint: restorePoint.id,
        path: selection.path,
      })
      useJobs.getState().upsert(out.job)
      setTask({
        kind: 'download',
        job: out.job,
        what: selection.path
          ? selection.path.slice(selection.path.lastIndexOf('/') + 1)
          : 'everything',
        where: out.savedTo,
      })
    } catch (error) {
      setActionError(toUiError(error))
    }
  }

  const started = (s: StartedRestore) => {
    useJobs.getState().upsert(s.job)
    setTask({
      kind: s.destination,
      job: s.job,
      what: restoring?.path || 'the whole restore point',
      where: s.where,
    })
    setRestoring(null)
  }

  const entrySelection = (entry: BrowseEntry): Selection => ({
    path: joinPath(path, entry.name),
    type: entry.type === 'dir' ? 'dir' : 'file',
  })
  const here = path ? `this folder` : 'everything'

  return (
    <section
      className="card rp-panel"
      aria-labelledby={titleId}
      data-testid="restore-point-panel"
      data-restore-point={restorePoint.id}
    >
      <header className="rp-head">
        <div>
          <h2 className="wd-section-title" id={titleId}>
            Restore point of {formatDateTime(restorePoint.time)}
          </h2>
          <p className="rp-meta">
            {restorePoint.id.slice(0, 8)} · {restorePoint.trigger.replace('-', ' ')} ·{' '}
            {formatBytes(restorePoint.size)} · {restorePoint.files.toLocaleString('en-GB')} files
          </p>
        </div>
        <Button small variant="ghost" aria-label="Close the restore point" onClick={onClose}>
          Close
        </Button>
      </header>

      <div className="rp-bar">
        <Breadcrumbs
          path={path}
          root={ws.paths.length === 1 ? ws.paths[0]! : 'Top'}
          onGo={setPath}
        />
        <div className="rp-bar-actions">
          <Button
            small
            aria-label={path ? `Download the folder ${path}` : 'Download everything'}
            onClick={() => void download({ path, type: 'dir' })}
          >
            Download {here}
          </Button>
          <Button
            small
            variant="primary"
            aria-label={path ? `Restore the folder ${path}` : 'Restore everything'}
            onClick={() => setRestoring({ path, type: 'dir' })}
          >
            Restore {here}…
          </Button>
        </div>
      </div>

      {actionError ? (
        <ErrorPanel
          error={actionError}
          title="The download could not start"
          testId="restore-action-error"
        />
      ) : null}
      {task ? <TaskStatus task={task} onDismiss={() => setTask(null)} /> : null}

      {state.status === 'loading' ? (
        <Skeleton lines={6} label="Listing the files" />
      ) : state.status === 'error' ? (
        <ErrorPanel
          error={state.error}
          title="The files could not be listed"
          onRetry={retry}
          testId="restore-browse-error"
        />
      ) : entries.length === 0 ? (
        <p className="rp-empty" data-testid="restore-empty">
          {path ? 'This folder is empty.' : 'This restore point holds no files.'}
        </p>
      ) : (
        <FileList
          entries={entries}
          onOpen={(entry) => setPath(joinPath(path, entry.name))}
          onDownload={(entry) => void download(entrySelection(entry))}
          onRestore={(entry) => setRestoring(entrySelection(entry))}
        />
      )}
      {state.status === 'ready' ? (
        <p className="rp-count">
          {entries.length.toLocaleString('en-GB')} {entries.length === 1 ? 'entry' : 'entries'}
        </p>
      ) : null}

      {restoring ? (
        <RestoreDialog
          ws={ws}
          point={restorePoint}
          selection={restoring}
          workspaceBusy={busy}
          onStarted={started}
          onClose={() => setRestoring(null)}
        />
      ) : null}
    </section>
  )
}
