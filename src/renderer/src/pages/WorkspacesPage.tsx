import { useEffect } from 'react'
import type { Job } from '../../../shared/domain/jobs'
import type { WorkspaceList } from '../../../shared/domain/workspace'
import { Button } from '../components/Button'
import { Callout } from '../components/Callout'
import { EmptyState } from '../components/EmptyState'
import { ErrorPanel } from '../components/ErrorPanel'
import { ServerIcon } from '../components/icons'
import { Message } from '../components/Message'
import { Skeleton } from '../components/Skeleton'
import { defaultServerType } from '../lib/catalog'
import { formatBytes } from '../lib/format'
import { formatAge, formatEur, runningCost } from '../lib/workspace-format'
import { useClock } from '../state/clock'
import { useHetzner } from '../state/hetzner'
import { useJobs } from '../state/jobs'
import { useNavigation } from '../state/navigation'
import { useRepository } from '../state/repository'
import { useSettings } from '../state/settings'
import { useWorkspaceCreate } from '../state/workspace-create'
import { useWorkspaceSchedules } from '../state/workspace-schedules'
import { useWorkspaces } from '../state/workspaces'
import { GuidedSetupButton } from './onboarding/GuidedSetupButton'
import { CreateForm } from './workspaces/CreateForm'
import { CreateProgress } from './workspaces/CreateProgress'
import { Discovered } from './workspaces/Discovered'
import { Orphans } from './workspaces/Orphans'
import { RepositoryStep } from './workspaces/RepositoryStep'
import { WorkspaceTable } from './workspaces/WorkspaceTable'
import { useLoadWhenIdle } from '../lib/use-load-when-idle'

/** What is missing before Cairn can create a workspace: a Hetzner token and storage. */
function useMissingSetup(): string[] | null {
  const settings = useSettings((s) => s.settings)
  if (!settings) return null
  const missing: string[] = []
  if (!settings.hasHetznerToken) missing.push('a Hetzner Cloud API token')
  if (!settings.storage) missing.push('where restore points are kept (S3, R2 or a folder)')
  return missing
}

function Totals({ list }: { list: WorkspaceList }) {
  const now = useClock((s) => s.now)
  let running = 0
  let monthly = 0
  let servers = 0
  for (const ws of list.workspaces) {
    if (!ws.server) continue
    servers += 1
    running += runningCost(ws.server, now)
    monthly += ws.cost?.monthlyEur ?? Number(ws.server.priceMonthly)
  }
  for (const o of list.orphans) {
    running += o.runningEur
    monthly += o.monthlyEur
  }
  const storage = list.workspaces.reduce((sum, ws) => sum + (ws.storageBytes ?? 0), 0)
  const count = list.workspaces.length
  return (
    <dl className="ws-totals" data-testid="workspace-totals">
      <div>
        <dt>Workspaces</dt>
        <dd>
          {count} ({servers} running)
        </dd>
      </div>
      <div>
        <dt>Running servers so far</dt>
        <dd>{formatEur(running)}</dd>
      </div>
      <div>
        <dt>Per month if left running</dt>
        <dd>{formatEur(monthly)}</dd>
      </div>
      <div>
        <dt>Restore points take</dt>
        <dd>{formatBytes(storage)}</dd>
      </div>
    </dl>
  )
}

function ReconcileLine({ list }: { list: WorkspaceList | null }) {
  const now = useClock((s) => s.now)
  const reconciling = useWorkspaces((s) => s.reconciling)
  const reconcile = useWorkspaces((s) => s.reconcile)
  return (
    <div className="ws-reconcile">
      <span className="muted">
        {list?.reconciledAt
          ? `Checked with Hetzner and storage ${formatAge(list.reconciledAt, now)}`
          : 'Not checked with Hetzner yet'}
      </span>
      <Button small variant="ghost" busy={reconciling} onClick={() => void reconcile()}>
        Check now
      </Button>
    </div>
  )
}

function ReconcileProblems({ list }: { list: WorkspaceList | null }) {
  const error = useWorkspaces((s) => s.reconcileError)
  const reconciling = useWorkspaces((s) => s.reconciling)
  const reconcile = useWorkspaces((s) => s.reconcile)
  const text = error?.message ?? list?.reconcileProblem
  // While a check runs, the last one's problem may be stale already.
  if (!text || reconciling) return null
  return (
    <Callout
      tone="warning"
      title="Could not compare this list with Hetzner and your storage"
      testId="reconcile-problem"
      actions={
        <Button small onClick={() => void reconcile()}>
          Try again
        </Button>
      }
    >
      <p>
        <Message text={text} /> The list below is what this computer last knew.
      </p>
    </Callout>
  )
}

function SetupPointer({ missing }: { missing: string[] }) {
  const go = useNavigation((s) => s.go)
  return (
    <Callout
      tone="info"
      title="Before your first workspace"
      testId="workspaces-setup"
      actions={
        <>
          <GuidedSetupButton small primary />
          <Button small variant="ghost" onClick={() => go('settings')}>
            Open Settings
          </Button>
        </>
      }
    >
      <p>
        Cairn still needs {missing.join(' and ')}. The guided setup walks you through it, or add
        them in Settings.
      </p>
    </Callout>
  )
}

export function WorkspacesPage() {
  const status = useWorkspaces((s) => s.status)
  const list = useWorkspaces((s) => s.list)
  const error = useWorkspaces((s) => s.error)
  const load = useWorkspaces((s) => s.load)
  const jobs = useJobs((s) => s.jobs)
  const panel = useWorkspaceCreate((s) => s.panel)
  const openForm = useWorkspaceCreate((s) => s.openForm)
  const catalog = useHetzner((s) => s.catalog.data)
  const catalogStatus = useHetzner((s) => s.catalog.status)
  const loadCatalog = useHetzner((s) => s.loadCatalog)
  const hasToken = useSettings((s) => s.settings?.hasHetznerToken ?? false)
  const missing = useMissingSetup()
  const settingsReady = missing !== null && missing.length === 0
  const repositoryState = useRepository((s) => s.repository?.state ?? null)
  // The recovery key is acknowledged before the first workspace.
  const recoveryPending = useRepository((s) => s.recoveryKey !== null)
  const loadRepository = useRepository((s) => s.load)
  const storageKey = useSettings((s) => JSON.stringify(s.settings?.storage ?? null))
  // A repository that is known not to open blocks creating; one not checked yet does not.
  const ready =
    settingsReady &&
    !recoveryPending &&
    (repositoryState === null || repositoryState === 'ready' || repositoryState === 'unavailable')

  const loadSchedules = useWorkspaceSchedules((s) => s.load)
  const workspaceCount = list?.workspaces.length ?? 0
  // Backup health measures against each workspace's schedule; new workspaces get one.
  useEffect(() => {
    if (workspaceCount > 0) void loadSchedules()
  }, [workspaceCount, loadSchedules])

  useEffect(() => {
    if (settingsReady) void loadRepository()
  }, [settingsReady, storageKey, loadRepository])

  // City names for the list, and the create form's choices ready before it opens.
  useLoadWhenIdle(catalogStatus, loadCatalog, hasToken)

  function startCreate() {
    const location = catalog?.locations[0]?.name ?? ''
    openForm(location, catalog ? defaultServerType(catalog, location) : '')
  }

  const byWorkspace = new Map<string, Job[]>()
  for (const job of jobs) {
    if (!job.workspaceId) continue
    const own = byWorkspace.get(job.workspaceId) ?? []
    own.push(job)
    byWorkspace.set(job.workspaceId, own)
  }
  const createJobId = panel.mode === 'job' ? panel.jobId : null
  const empty = list !== null && list.workspaces.length === 0

  return (
    <div className="ws-page" data-testid="workspaces-page">
      <div className="ws-toolbar">
        {list && list.workspaces.length + list.orphans.length > 0 ? (
          <Totals list={list} />
        ) : (
          <div />
        )}
        <div className="ws-toolbar-actions">
          {settingsReady ? <ReconcileLine list={list} /> : null}
          {panel.mode === 'closed' && !empty ? (
            <Button variant="primary" disabled={!ready} onClick={startCreate}>
              Create workspace
            </Button>
          ) : null}
        </div>
      </div>
      {missing && missing.length > 0 ? <SetupPointer missing={missing} /> : null}
      {settingsReady ? <RepositoryStep /> : null}
      {/* Until the token, storage and repository are there, the reconcile problem only repeats
          what the steps above say. */}
      {ready && repositoryState !== 'unavailable' ? <ReconcileProblems list={list} /> : null}
      {panel.mode === 'form' ? <CreateForm /> : null}
      {panel.mode === 'job' ? <CreateProgress jobId={panel.jobId} name={panel.name} /> : null}
      {status === 'error' && error && !list ? (
        <ErrorPanel
          error={error}
          title="Could not load the workspaces"
          onRetry={() => void load()}
          testId="workspaces-error"
        />
      ) : !list ? (
        <div className="card section">
          <Skeleton label="Loading workspaces" lines={3} />
        </div>
      ) : empty ? (
        panel.mode === 'closed' ? (
          <EmptyState
            icon={<ServerIcon size={28} />}
            title="No workspaces yet"
            action={
              <Button variant="primary" disabled={!ready} onClick={startCreate}>
                Create workspace
              </Button>
            }
          >
            <p>
              A workspace is a Hetzner Cloud server for your coding work. Stopping it backs it up as
              an encrypted restore point and deletes the server, so it costs nothing until you start
              it again.
            </p>
            {!settingsReady ? <p>Add your Hetzner token and storage in Settings first.</p> : null}
          </EmptyState>
        ) : null
      ) : (
        <WorkspaceTable
          workspaces={list.workspaces}
          jobsByWorkspace={byWorkspace}
          hideJobId={createJobId}
        />
      )}
      {list ? <Orphans orphans={list.orphans} /> : null}
      {list ? <Discovered found={list.discovered} /> : null}
    </div>
  )
}
