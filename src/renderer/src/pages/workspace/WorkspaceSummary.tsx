import { useEffect, useState } from 'react'
import type { Job } from '../../../../shared/domain/jobs'
import type { WorkspaceView } from '../../../../shared/domain/workspace'
import { Button } from '../../components/Button'
import { backupHealthLabels } from '../../lib/backup-health'
import { formatBytes, formatDateTime } from '../../lib/format'
import {
  formatAge,
  formatEur,
  runningCost,
  workspaceStateLabels,
  workspaceStateTone,
} from '../../lib/workspace-format'
import { workspaceActions } from '../../lib/workspace-actions'
import { rowHealth } from '../../lib/workspace-row'
import { useClock } from '../../state/clock'
import { useHetzner } from '../../state/hetzner'
import { useWorkspaceSchedules } from '../../state/workspace-schedules'
import { useWorkspaces } from '../../state/workspaces'
import { AutoStopFact, AutoStopWarning } from '../workspaces/AutoStop'
import { ActionNoteLine } from '../workspaces/ActionNoteLine'
import { DeleteWorkspace } from '../workspaces/DeleteWorkspace'
import { JobProgress } from '../workspaces/JobProgress'
import { WorkspaceAlerts } from '../workspaces/WorkspaceAlerts'
import { plural } from './restore-point-format'

const jobVerbs: Partial<Record<Job['kind'], string>> = {
  create: 'Creating',
  stop: 'Stopping',
  start: 'Starting',
  backup: 'Backing up',
  delete: 'Deleting',
  restore: 'Restoring into',
  verify: 'Checking a restore point of',
  prune: 'Freeing storage of',
}

function Fact({
  label,
  children,
  testId,
}: {
  label: string
  children: React.ReactNode
  testId?: string
}) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  )
}

/** Everything about the workspace now: where it runs, what it costs, how safe its files are. */
function Facts({
  ws,
  jobs,
  pointCount,
}: {
  ws: WorkspaceView
  jobs: Job[]
  pointCount: number | null
}) {
  const now = useClock((s) => s.now)
  const locations = useHetzner((s) => s.catalog.data?.locations)
  const server = ws.server
  const hetzner = ws.provider === 'hetzner'
  const location = server?.location ?? ws.location
  const city = location ? locations?.find((l) => l.name === location)?.city : undefined
  const type = server?.serverType ?? ws.serverType
  const schedule = useWorkspaceSchedules((s) => s.byWorkspace[ws.id])
  const schedulesLoaded = useWorkspaceSchedules((s) => s.loaded)
  useEffect(() => {
    // The mark measures against the workspace's backup schedule (shared with the list).
    if (!schedulesLoaded) void useWorkspaceSchedules.getState().load()
  }, [schedulesLoaded])
  const health = rowHealth(ws, jobs, schedule, now)
  const count = pointCount ?? ws.restorePointCount
  const noServer = ws.state === 'stopped' ? 'nothing while stopped' : 'nothing now (no server)'
  return (
    <dl className="wd-facts">
      <Fact label="Provider">{hetzner ? 'Hetzner Cloud' : 'Your SSH host'}</Fact>
      <Fact label={hetzner ? 'Location · type' : 'Host'}>
        {hetzner
          ? [city ? `${city} (${location})` : location, type].filter(Boolean).join(' · ') || '—'
          : ws.ssh
            ? `${ws.ssh.user}@${ws.ssh.host}${ws.ssh.port === 22 ? '' : `:${ws.ssh.port}`}`
            : '—'}
      </Fact>
      <Fact label="IP address" testId="workspace-ip">
        {ws.ssh && (ws.server || !hetzner) ? (
          <span className="mono">{ws.ssh.host}</span>
        ) : (
          'none (no server)'
        )}
      </Fact>
      <Fact label="Cost so far" testId="workspace-cost">
        {!hetzner ? 'your machine' : server ? formatEur(runningCost(server, now)) : noServer}
      </Fact>
      <Fact label="Per month">
        {!hetzner
          ? '—'
          : ws.cost && server
            ? `${formatEur(ws.cost.monthlyEur)} if left running`
            : '€0 without a server'}
      </Fact>
      <AutoStopFact ws={ws} />
      <Fact label="Last backup" testId="workspace-last-backup">
        <span className="wd-health" data-health={health} data-testid="backup-health">
          <span className={`wd-health-dot wd-health-${health}`} aria-hidden="true" />
          {ws.lastBackup ? (
            <span title={formatDateTime(ws.lastBackup.time)}>
              {formatAge(ws.lastBackup.time, now)}
              {` · ${backupHealthLabels[health].toLowerCase()}`}
            </span>
          ) : health === 'failed' ? (
            'none yet · the backup failed'
          ) : (
            'none yet'
          )}
        </span>
      </Fact>
      <Fact label="Storage used">
        {ws.storageBytes === null ? 'not measured yet' : formatBytes(ws.storageBytes)}
      </Fact>
      <Fact label="Restore points" testId="workspace-point-count">
        {count === null ? '—' : plural(count, 'restore point')}
      </Fact>
    </dl>
  )
}

/** The top of the detail page: state, facts, the running job, problems and every action. */
export function WorkspaceSummary({
  ws,
  jobs,
  pointCount,
  starting,
  onStart,
}: {
  ws: WorkspaceView
  /** This workspace's jobs, newest first. */
  jobs: Job[]
  pointCount: number | null
  /** A start this page asked for is on its way to the core. */
  starting: boolean
  onStart(): void
}) {
  const note = useWorkspaces((s) => s.notes[ws.id])
  const { stop, backup, copySsh, open } = useWorkspaces.getState()
  const [confirming, setConfirming] = useState(false)
  const { active, failed, reachable, canStop, canStart, transitional } = workspaceActions(ws, jobs)
  const busyAction = note?.kind === 'busy' ? note.action : null
  const locked = active !== null || busyAction !== null || starting

  return (
    <section className="card wd-summary" aria-labelledby="wd-summary-title">
      <div className="wd-summary-head">
        <h2 className="wd-section-title" id="wd-summary-title">
          Now
        </h2>
        <span
          className={`badge badge-tone-${workspaceStateTone(ws.state)}`}
          data-testid="workspace-state"
        >
          {workspaceStateLabels[ws.state]}
        </span>
      </div>
      <Facts ws={ws} jobs={jobs} pointCount={pointCount} />
      {active ? (
        <JobProgress job={active} label={`${jobVerbs[active.kind] ?? active.title} ${ws.name}`} />
      ) : (
        <AutoStopWarning ws={ws} />
      )}
      <WorkspaceAlerts ws={ws} active={active} failed={failed} />
      <ActionNoteLine id={ws.id} />
      <div className="ws-actions" role="group" aria-label={`Actions for ${ws.name}`}>
        {canStart ? (
          <Button variant="primary" busy={starting} disabled={locked} onClick={onStart}>
            Start…
          </Button>
        ) : null}
        {canStop ? (
          <Button busy={busyAction === 'stop'} disabled={locked} onClick={() => void stop(ws.id)}>
            Stop
          </Button>
        ) : null}
        {reachable ? (
          <>
            <Button
              variant={canStart ? 'secondary' : 'primary'}
              busy={busyAction === 'backup'}
              disabled={locked || transitional}
              onClick={() => void backup(ws.id)}
            >
              Back up now
            </Button>
            <Button
              variant="ghost"
              busy={busyAction === 'vscode'}
              disabled={transitional}
              onClick={() => void open(ws.id, 'vscode')}
            >
              Open in VS Code
            </Button>
            <Button
              variant="ghost"
              busy={busyAction === 'terminal'}
              disabled={transitional}
              onClick={() => void open(ws.id, 'terminal')}
            >
              Open terminal
            </Button>
            <Button
              variant="ghost"
              busy={busyAction === 'ssh'}
              disabled={transitional}
              onClick={() => void copySsh(ws.id)}
            >
              Copy SSH command
            </Button>
          </>
        ) : null}
        <Button
          variant="danger"
          className="ws-delete"
          disabled={locked || ws.state === 'deleting'}
          onClick={() => setConfirming(true)}
        >
          Delete…
        </Button>
      </div>
      {confirming ? (
        <DeleteWorkspace ws={ws} pointCount={pointCount} onClose={() => setConfirming(false)} />
      ) : null}
    </section>
  )
}
