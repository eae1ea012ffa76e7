import { useEffect, useMemo, useState } from 'react'
import type { RestorePoint } from '../../../../shared/domain/backup'
import { EmptyState } from '../../components/EmptyState'
import { ErrorPanel } from '../../components/ErrorPanel'
import { Skeleton } from '../../components/Skeleton'
import { ServerIcon } from '../../components/icons'
import { Button } from '../../components/Button'
import { toUiError, type UiError } from '../../lib/errors'
import { getApi } from '../../state/api'
import { useJobs } from '../../state/jobs'
import { useNavigation } from '../../state/navigation'
import { restorePointsOf, useRestorePoints } from '../../state/restore-points'
import { useWorkspaces } from '../../state/workspaces'
import { RestorePointPanel } from './restore/RestorePointPanel'
import { RestorePointsSection } from './RestorePointsSection'
import { StartDialog, type StartChoice } from './StartDialog'
import { WorkspaceSummary } from './WorkspaceSummary'

function BackLink() {
  const go = useNavigation((s) => s.go)
  return (
    <button type="button" className="wd-back" onClick={() => go('workspaces')}>
      <span aria-hidden="true">←</span> Workspaces
    </button>
  )
}

type StartState =
  { open: false } | { open: true; initial: string; busy: boolean; error: UiError | null }

/** One workspace: actions, live progress, restore points (timeline, chart, browse, restore). */
export function WorkspaceDetailPage() {
  const id = useNavigation((s) => s.workspaceId)
  const listStatus = useWorkspaces((s) => s.status)
  const listError = useWorkspaces((s) => s.error)
  const ws = useWorkspaces((s) => s.list?.workspaces.find((w) => w.id === id) ?? null)
  const allJobs = useJobs((s) => s.jobs)
  const jobs = useMemo(() => allJobs.filter((j) => j.workspaceId === id), [allJobs, id])
  const points = useRestorePoints((s) => restorePointsOf(s, id))
  const loadPoints = useRestorePoints((s) => s.load)
  const setPinned = useRestorePoints((s) => s.setPinned)
  const [opened, setOpened] = useState<RestorePoint | null>(null)
  const [start, setStart] = useState<StartState>({ open: false })

  useEffect(() => {
    // Every visit lists again: another desktop or the CLI may have added points meanwhile.
    if (id) void loadPoints(id)
    setOpened(null)
    setStart({ open: false })
  }, [id, loadPoints])

  if (!id) return <Missing />
  if (!ws) {
    if (listStatus === 'error' && listError)
      return (
        <div className="wd-page">
          <BackLink />
          <ErrorPanel
            error={listError}
            title="The workspace could not be loaded"
            onRetry={() => void useWorkspaces.getState().load()}
          />
        </div>
      )
    if (listStatus !== 'ready')
      return (
        <div className="wd-page">
          <BackLink />
          <Skeleton lines={5} label="Loading the workspace" />
        </div>
      )
    return <Missing />
  }

  const canStart =
    ws.provider === 'hetzner' &&
    ws.server === null &&
    ['stopped', 'missing', 'error'].includes(ws.state) &&
    !jobs.some((j) => j.state === 'running' || j.state === 'queued')
  const canBackUp = ws.provider === 'ssh' || (ws.server !== null && ws.ssh !== null)

  async function startWith(choice: StartChoice) {
    if (!ws) return
    setStart((s) => (s.open ? { ...s, busy: true, error: null } : s))
    try {
      const job = await getApi()['workspaces.start']({
        id: ws.id,
        restorePoint: choice.restorePoint,
        ...(choice.location ? { location: choice.location } : {}),
        ...(choice.serverType ? { serverType: choice.serverType } : {}),
      })
      useJobs.getState().upsert(job)
      setStart({ open: false })
    } catch (error) {
      setStart((s) => (s.open ? { ...s, busy: false, error: toUiError(error) } : s))
    }
  }

  return (
    <div
      className="wd-page"
      data-testid="workspace-detail"
      data-name={ws.name}
      data-state={ws.state}
    >
      <BackLink />
      <WorkspaceSummary
        ws={ws}
        jobs={jobs}
        pointCount={points.status === 'ready' ? points.points.length : null}
        starting={start.open && start.busy}
        onStart={() => setStart({ open: true, initial: 'latest', busy: false, error: null })}
      />
      <RestorePointsSection
        state={points}
        canBackUp={canBackUp}
        onRetry={() => void loadPoints(ws.id)}
        onOpen={setOpened}
        onTogglePin={(point, pin) => void setPinned(ws.id, point.id, pin)}
        onStartFrom={
          canStart
            ? (point) => setStart({ open: true, initial: point.id, busy: false, error: null })
            : null
        }
      />
      {opened ? (
        <RestorePointPanel workspace={ws} restorePoint={opened} onClose={() => setOpened(null)} />
      ) : null}
      {start.open ? (
        <StartDialog
          ws={ws}
          points={points.points}
          initial={start.initial}
          busy={start.busy}
          error={start.error}
          onStart={(choice) => void startWith(choice)}
          onClose={() => setStart({ open: false })}
        />
      ) : null}
    </div>
  )
}

/** The workspace was deleted (here or elsewhere) or never existed. */
function Missing() {
  const go = useNavigation((s) => s.go)
  return (
    <div className="wd-page" data-testid="workspace-detail-missing">
      <BackLink />
      <EmptyState
        icon={<ServerIcon size={22} />}
        title="This workspace is not here any more"
        action={
          <Button variant="primary" onClick={() => go('workspaces')}>
            Show all workspaces
          </Button>
        }
      >
        <p>It was deleted, or this computer does not know it. The list shows every workspace.</p>
      </EmptyState>
    </div>
  )
}
