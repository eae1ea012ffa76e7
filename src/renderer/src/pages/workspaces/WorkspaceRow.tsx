import { useState } from 'react'
import type { Job } from '../../../../shared/domain/jobs'
import type { WorkspaceView } from '../../../../shared/domain/workspace'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { Message } from '../../components/Message'
import { formatBytes } from '../../lib/format'
import {
  formatAge,
  formatEur,
  runningCost,
  workspaceStateLabels,
  workspaceStateTone,
} from '../../lib/workspace-format'
import { useClock } from '../../state/clock'
import { useHetzner } from '../../state/hetzner'
import { useNavigation } from '../../state/navigation'
import { useWorkspaces, type ActionNote } from '../../state/workspaces'
import { AutoStopFact, AutoStopWarning } from './AutoStop'
import { ConfirmDelete } from './ConfirmDelete'
import { JobProgress } from './JobProgress'

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

function Facts({ ws }: { ws: WorkspaceView }) {
  const now = useClock((s) => s.now)
  const server = ws.server
  const cost = server ? runningCost(server, now) : null
  const storage =
    ws.storageBytes === null
      ? 'not measured yet'
      : `${formatBytes(ws.storageBytes)}${
          ws.restorePointCount === null
            ? ''
            : ` · ${ws.restorePointCount} restore point${ws.restorePointCount === 1 ? '' : 's'}`
        }`
  return (
    <dl className="ws-facts">
      <div>
        <dt>Cost so far</dt>
        <dd data-testid="workspace-cost">
          {ws.provider === 'ssh'
            ? 'your machine'
            : cost !== null
              ? formatEur(cost)
              : ws.state === 'stopped'
                ? 'nothing while stopped'
                : ws.state === 'missing' || ws.state === 'error'
                  ? 'nothing now (no server)'
                  : '—'}
        </dd>
      </div>
      <div>
        <dt>Per month</dt>
        <dd>
          {ws.cost && server
            ? `${formatEur(ws.cost.monthlyEur)} if left running`
            : ws.state === 'stopped'
              ? '€0 while stopped'
              : ws.state === 'missing' || ws.state === 'error'
                ? '€0 without a server'
                : '—'}
        </dd>
      </div>
      <div>
        <dt>Last backup</dt>
        <dd data-testid="workspace-last-backup">
          {ws.lastBackup ? formatAge(ws.lastBackup.time, now) : 'none yet'}
        </dd>
      </div>
      <div>
        <dt>Storage</dt>
        <dd>{storage}</dd>
      </div>
      <AutoStopFact ws={ws} />
    </dl>
  )
}

function NoteLine({ id, note }: { id: string; note: ActionNote | undefined }) {
  const dismiss = useWorkspaces((s) => s.dismiss)
  if (!note || note.kind === 'busy') return null
  if (note.kind === 'error') {
    if (note.action === 'delete') return null // shown in the dialog
    return (
      <Callout
        tone="error"
        title="That did not work"
        testId="workspace-action-error"
        actions={
          <Button small variant="ghost" onClick={() => dismiss(id)}>
            Dismiss
          </Button>
        }
      >
        <p data-error-code={note.error.code}>
          <Message text={note.error.message} />
        </p>
      </Callout>
    )
  }
  if (note.kind === 'ssh') {
    return (
      <div className="ws-note" role="status" data-testid="ssh-command">
        <span>{note.copied ? 'Copied to the clipboard:' : 'Run this in a terminal:'}</span>
        <code className="ws-command">{note.command}</code>
        <Button small variant="ghost" onClick={() => dismiss(id)}>
          Close
        </Button>
      </div>
    )
  }
  const what = note.action === 'vscode' ? 'VS Code' : 'a terminal'
  return (
    <div
      className={`ws-note${note.result.launched ? '' : ' ws-note-warning'}`}
      role="status"
      data-testid="open-result"
      data-launched={note.result.launched}
    >
      <span>
        {note.result.launched ? (
          `Opened ${what}.`
        ) : (
          <>
            Could not open {what}: <Message text={note.result.problem ?? 'no reason given'} /> Run
            it yourself:
          </>
        )}
      </span>
      <code className="ws-command">{note.result.command}</code>
      <Button small variant="ghost" onClick={() => dismiss(id)}>
        Close
      </Button>
    </div>
  )
}

/** One workspace: where it runs, what it costs, its backups, live job progress and actions. */
export function WorkspaceCard({
  ws,
  jobs,
  hideJobId,
}: {
  ws: WorkspaceView
  /** This workspace's jobs, newest first. */
  jobs: Job[]
  /** A job another panel already shows (the create panel's). */
  hideJobId: string | null
}) {
  const note = useWorkspaces((s) => s.notes[ws.id])
  const locations = useHetzner((s) => s.catalog.data?.locations)
  const cityOf = (name: string) => locations?.find((l) => l.name === name)?.city ?? null
  const { stop, start, backup, remove, copySsh, open } = useWorkspaces.getState()
  const [confirming, setConfirming] = useState(false)
  // The running job first; a queued one (waiting behind it) only when nothing runs.
  const active =
    jobs.find((j) => j.state === 'running') ?? jobs.find((j) => j.state === 'queued') ?? null
  const latest = jobs[0] ?? null
  const failed = latest && latest.state === 'failed' && latest.error ? latest : null
  const busyAction = note?.kind === 'busy' ? note.action : null
  const locked = active !== null || busyAction !== null
  const hetzner = ws.provider === 'hetzner'
  const hasServer = ws.server !== null
  const reachable = !hetzner || (hasServer && ws.ssh !== null)
  const tone = workspaceStateTone(ws.state)
  const canStop = hetzner && hasServer && (ws.state === 'running' || ws.state === 'error')
  const canStart =
    hetzner &&
    !hasServer &&
    (ws.state === 'stopped' || ws.state === 'missing' || ws.state === 'error')
  const transitional = ['creating', 'stopping', 'starting', 'deleting'].includes(ws.state)

  return (
    <li
      className="card ws"
      data-testid="workspace"
      data-name={ws.name}
      data-state={ws.state}
      aria-labelledby={`ws-${ws.id}-name`}
    >
      <div className="ws-head">
        <div className="ws-title">
          <h3 className="ws-name" id={`ws-${ws.id}-name`}>
            <button
              type="button"
              className="ws-name-link"
              data-testid="workspace-open"
              onClick={() => useNavigation.getState().openWorkspace(ws.id)}
            >
              {ws.name}
            </button>
          </h3>
          <span className={`badge badge-tone-${tone}`} data-testid="workspace-state">
            {workspaceStateLabels[ws.state]}
          </span>
        </div>
        <p className="ws-where">{where(ws, cityOf)}</p>
      </div>
      <Facts ws={ws} />
      {active && active.id !== hideJobId ? (
        <JobProgress job={active} label={`${jobVerbs[active.kind] ?? active.title} ${ws.name}`} />
      ) : null}
      {active ? null : <AutoStopWarning ws={ws} />}
      {ws.problem ? (
        <Callout tone="warning" title="This workspace needs attention" testId="workspace-problem">
          <p data-error-code={ws.problem.code}>
            <Message text={ws.problem.message} />
          </p>
        </Callout>
      ) : null}
      {failed && !active && !ws.problem ? (
        <Callout tone="error" title={`${failed.title} failed`} testId="workspace-job-error">
          <p data-error-code={failed.error?.code}>
            <Message text={failed.error?.message ?? ''} />
          </p>
        </Callout>
      ) : null}
      <NoteLine id={ws.id} note={note} />
      <div className="ws-actions" role="group" aria-label={`Actions for ${ws.name}`}>
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
              onClick={() => void backup(ws.id)}
            >
              Back up now
            </Button>
            <Button
              small
              variant="ghost"
              busy={busyAction === 'ssh'}
              disabled={transitional}
              onClick={() => void copySsh(ws.id)}
            >
              Copy SSH command
            </Button>
            <Button
              small
              variant="ghost"
              busy={busyAction === 'vscode'}
              disabled={transitional}
              onClick={() => void open(ws.id, 'vscode')}
            >
              Open in VS Code
            </Button>
            <Button
              small
              variant="ghost"
              busy={busyAction === 'terminal'}
              disabled={transitional}
              onClick={() => void open(ws.id, 'terminal')}
            >
              Open terminal
            </Button>
          </>
        ) : null}
        <Button
          small
          variant="danger"
          className="ws-delete"
          disabled={locked || ws.state === 'deleting'}
          onClick={() => setConfirming(true)}
        >
          Delete…
        </Button>
      </div>
      {confirming ? (
        <ConfirmDelete
          title={`Delete ${ws.name}?`}
          name={ws.name}
          confirmLabel="Delete workspace"
          busy={busyAction === 'delete'}
          error={note?.kind === 'error' && note.action === 'delete' ? note.error : null}
          onClose={() => {
            setConfirming(false)
            if (note?.kind === 'error' && note.action === 'delete')
              useWorkspaces.getState().dismiss(ws.id)
          }}
          onConfirm={(typed) => {
            void remove(ws.id, typed).then((job) => {
              if (job) setConfirming(false)
            })
          }}
        >
          {hetzner ? (
            <p>
              {hasServer
                ? 'Cairn deletes the server in Hetzner (without a last backup), then '
                : 'Cairn deletes '}
              every restore point of this workspace
              {ws.restorePointCount ? ` (${ws.restorePointCount})` : ''} and its key from your
              storage. Nothing of it can be brought back afterwards.
            </p>
          ) : (
            <p>
              Cairn forgets this machine and deletes every restore point of it and its key from your
              storage. The machine itself is not touched.
            </p>
          )}
        </ConfirmDelete>
      ) : null}
    </li>
  )
}
