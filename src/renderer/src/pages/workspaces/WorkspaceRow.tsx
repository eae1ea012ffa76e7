import { useState } from 'react'
import type { Job } from '../../../../shared/domain/jobs'
import type { WorkspaceView } from '../../../../shared/domain/workspace'
import { Button } from '../../components/Button'
import { backupHealthLabels, type BackupHealth } from '../../lib/backup-health'
import { formatBytes } from '../../lib/format'
import { formatAge, formatEur, runningCost, workspaceStateTone } from '../../lib/workspace-format'
import { workspaceActions } from '../../lib/workspace-actions'
import { rowStateLabel, type RowState } from '../../lib/workspace-row'
import { useClock } from '../../state/clock'
import { useHetzner } from '../../state/hetzner'
import { useNavigation } from '../../state/navigation'
import { useWorkspaces } from '../../state/workspaces'
import { AutoStopText, AutoStopWarning } from './AutoStop'
import { ActionNoteLine } from './ActionNoteLine'
import { DeleteWorkspace } from './DeleteWorkspace'
import { JobProgress } from './JobProgress'
import { WorkspaceAlerts } from './WorkspaceAlerts'

const jobVerbs: Partial<Record<Job['kind'], string>> = {
  create: 'Creating the workspace',
  stop: 'Stopping',
  start: 'Starting',
  backup: 'Backing up',
  delete: 'Deleting',
}

function where(ws: WorkspaceView, cityOf: (location: string) => string | null): string {
  if (ws.provider === 'ssh') {
    const ssh = ws.ssh
    return ssh
      ? `SSH host · ${ssh.user}@${ssh.host}${ssh.port === 22 ? '' : `:${ssh.port}`}`
      : 'SSH host'
  }
  const location = ws.server?.location ?? ws.location
  const type = ws.server?.serverType ?? ws.serverType
  const city = location ? cityOf(location) : null
  return ['Hetzner', city ? `${city} (${location})` : location, type].filter(Boolean).join(' · ')
}

/** Cost now (since the server was made) and per month, in one cell. */
function CostCell({ ws }: { ws: WorkspaceView }) {
  const now = useClock((s) => s.now)
  const server = ws.server
  if (ws.provider === 'ssh') {
    return (
      <div className="ws-cell ws-col-cost" data-testid="workspace-cost">
        <span className="muted">your machine</span>
      </div>
    )
  }
  if (!server) {
    return (
      <div className="ws-cell ws-col-cost" data-testid="workspace-cost">
        <span>€0</span>
        <span className="ws-sub">{ws.state === 'stopped' ? 'while stopped' : 'no server'}</span>
      </div>
    )
  }
  const monthly = ws.cost?.monthlyEur ?? Number(server.priceMonthly)
  return (
    <div className="ws-cell ws-col-cost" data-testid="workspace-cost">
      <span>{formatEur(runningCost(server, now))} so far</span>
      <span className="ws-sub">{formatEur(monthly)}/mo</span>
    </div>
  )
}

function BackupCell({ ws, health }: { ws: WorkspaceView; health: BackupHealth }) {
  const now = useClock((s) => s.now)
  return (
    <div className="ws-cell ws-col-backup">
      <span data-testid="workspace-last-backup">
        {ws.lastBackup ? formatAge(ws.lastBackup.time, now) : 'none yet'}
      </span>
      <span
        className={`ws-health ws-health-${health}`}
        data-testid="workspace-backup-health"
        data-health={health}
      >
        <span className="ws-health-dot" aria-hidden="true" />
        {backupHealthLabels[health]}
      </span>
    </div>
  )
}

/**
 * One workspace as a dense row: name (opens the detail), where, state, cost, last backup with its
 * health, storage and the main actions; a running job, problems and notes show under it.
 */
export function WorkspaceRow({
  ws,
  jobs,
  hideJobId,
  health,
  rowState,
}: {
  ws: WorkspaceView
  /** This workspace's jobs, newest first. */
  jobs: Job[]
  /** A job another panel already shows (the create panel's). */
  hideJobId: string | null
  health: BackupHealth
  rowState: RowState
}) {
  const note = useWorkspaces((s) => s.notes[ws.id])
  const locations = useHetzner((s) => s.catalog.data?.locations)
  const cityOf = (name: string) => locations?.find((l) => l.name === name)?.city ?? null
  const { stop, start, backup, copySsh } = useWorkspaces.getState()
  const [confirming, setConfirming] = useState(false)
  const { active, failed, reachable, canStop, canStart, transitional } = workspaceActions(ws, jobs)
  const busyAction = note?.kind === 'busy' ? note.action : null
  const locked = active !== null || busyAction !== null
  const tone = rowState === 'backing-up' ? 'busy' : workspaceStateTone(ws.state)
  const storage = ws.storageBytes === null ? '—' : formatBytes(ws.storageBytes)
  const points =
    ws.restorePointCount === null
      ? null
      : `${ws.restorePointCount} point${ws.restorePointCount === 1 ? '' : 's'}`

  return (
    <div
      className="ws-row"
      data-testid="workspace"
      data-name={ws.name}
      data-state={ws.state}
      data-row-state={rowState}
      role="group"
      aria-labelledby={`ws-${ws.id}-name`}
    >
      <div className="ws-row-main">
        <div className="ws-cell ws-col-name">
          <button
            type="button"
            className="ws-name-link"
            id={`ws-${ws.id}-name`}
            data-testid="workspace-open"
            title={`Open ${ws.name}`}
            onClick={() => useNavigation.getState().openWorkspace(ws.id)}
          >
            {ws.name}
          </button>
          <span className="ws-sub ws-where" title={where(ws, cityOf)}>
            {where(ws, cityOf)}
          </span>
        </div>
        <div className="ws-cell ws-col-state">
          <span className={`badge badge-tone-${tone}`} data-testid="workspace-state">
            {rowStateLabel(rowState)}
          </span>
          <span className="ws-sub">
            <AutoStopText ws={ws} />
          </span>
        </div>
        <CostCell ws={ws} />
        <BackupCell ws={ws} health={health} />
        <div className="ws-cell ws-col-storage">
          <span>{storage}</span>
          {points ? <span className="ws-sub">{points}</span> : null}
        </div>
        <div className="ws-cell ws-col-actions" role="group" aria-label={`Actions for ${ws.name}`}>
          {canStart ? (
            <Button
              small
              variant="primary"
              busy={busyAction === 'start'}
              disabled={locked}
              onClick={() => void start(ws.id)}
            >
              Start
            </Button>
          ) : null}
          {canStop ? (
            <Button
              small
              busy={busyAction === 'stop'}
              disabled={locked}
              onClick={() => void stop(ws.id)}
            >
              Stop
            </Button>
          ) : null}
          {reachable ? (
            <>
              <Button
                small
                busy={busyAction === 'backup'}
                disabled={locked || transitional}
                aria-label="Back up now"
                title="Back up now"
                onClick={() => void backup(ws.id)}
              >
                Back up
              </Button>
              <Button
                small
                variant="ghost"
                busy={busyAction === 'ssh'}
                disabled={transitional}
                aria-label="Copy SSH command"
                title="Copy SSH command"
                onClick={() => void copySsh(ws.id)}
              >
                SSH
              </Button>
            </>
          ) : null}
          <Button
            small
            variant="ghost"
            className="ws-delete"
            disabled={locked || ws.state === 'deleting'}
            onClick={() => setConfirming(true)}
          >
            Delete…
          </Button>
        </div>
      </div>
      {active && active.id !== hideJobId ? (
        <JobProgress job={active} label={`${jobVerbs[active.kind] ?? active.title} ${ws.name}`} />
      ) : null}
      {active ? null : <AutoStopWarning ws={ws} />}
      <WorkspaceAlerts ws={ws} active={active} failed={failed} />
      <ActionNoteLine id={ws.id} />
      {confirming ? <DeleteWorkspace ws={ws} onClose={() => setConfirming(false)} /> : null}
    </div>
  )
}
