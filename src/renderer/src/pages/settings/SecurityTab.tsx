import { useState } from 'react'
import { Button } from '../../components/Button'
import { ErrorPanel } from '../../components/ErrorPanel'
import { KeyIcon } from '../../components/icons'
import { Message } from '../../components/Message'
import { Skeleton } from '../../components/Skeleton'
import { formatDateTime } from '../../lib/format'
import { useKeychain } from '../../state/keychain'
import { useKeys } from '../../state/keys'
import { useJobs } from '../../state/jobs'
import { useSchedules } from '../../state/schedules'
import { ConfirmBox } from './ConfirmBox'
import { RecoveryKeyPanel } from './RecoveryKeyPanel'
import { SectionHeading } from './SectionHeading'
import { useLoadWhenIdle } from '../../lib/use-load-when-idle'

function KeychainSection() {
  const { status, keychain, error, load } = useKeychain()
  return (
    <section
      className="card section"
      aria-labelledby="keychain-heading"
      data-testid="keychain-section"
    >
      <SectionHeading
        id="keychain-heading"
        icon={<KeyIcon size={20} />}
        title="Keychain"
        description="The master key, the Hetzner token, the storage secret and SSH keys live only in the operating system's keychain, never in Cairn's files."
        aside={
          <Button small variant="ghost" onClick={() => void load()} busy={status === 'loading'}>
            Check again
          </Button>
        }
      />
      {status === 'error' && error ? (
        <ErrorPanel error={error} title="Could not ask about the keychain" />
      ) : !keychain ? (
        <Skeleton label="Checking the keychain" lines={1} />
      ) : keychain.available ? (
        <p className="status-line" data-available="true" data-testid="keychain-detail">
          <span className="dot dot-ok" aria-hidden="true" /> Available: {keychain.backend}.
        </p>
      ) : (
        <div
          className="status-line status-line-error"
          data-available="false"
          data-testid="keychain-detail"
        >
          <span className="dot dot-error" aria-hidden="true" />
          <span>
            Not available ({keychain.backend}).{' '}
            <Message text={keychain.message ?? 'Unlock or install a keychain, then check again.'} />
          </span>
        </div>
      )}
    </section>
  )
}

function MasterKeySection() {
  const status = useKeys((s) => s.status)
  const master = useKeys((s) => s.master)
  const error = useKeys((s) => s.error)
  const rotating = useKeys((s) => s.rotating)
  const rotationError = useKeys((s) => s.rotationError)
  const exporting = useKeys((s) => s.exporting)
  const exportError = useKeys((s) => s.exportError)
  const recoveryKey = useKeys((s) => s.recoveryKey)
  const running = useJobs(
    (s) => s.jobs.filter((j) => j.state === 'running' || j.state === 'queued').length,
  )
  const [confirm, setConfirm] = useState<'rotate' | 'export' | null>(null)
  const { load, rotateMaster, exportRecovery } = useKeys.getState()
  useLoadWhenIdle(status, load)

  return (
    <section
      className="card section"
      aria-labelledby="master-key-heading"
      data-testid="master-key-section"
    >
      <SectionHeading
        id="master-key-heading"
        icon={<KeyIcon size={20} />}
        title="Master key and recovery key"
        description="The master key wraps every workspace's own key. Its recovery key is the only way to open your restore points on another computer."
      />
      {status === 'error' && error ? (
        <ErrorPanel
          error={error}
          title="Could not read the master key's status"
          onRetry={() => void load()}
        />
      ) : !master ? (
        <Skeleton label="Reading the master key's status" lines={2} />
      ) : !master.present ? (
        <p className="muted" data-testid="no-master-key">
          No master key yet: Cairn makes one when it creates the repository (Workspaces).
        </p>
      ) : (
        <>
          <dl className="summary" data-testid="master-key-facts">
            <div className="summary-row">
              <dt>Key ID</dt>
              <dd className="mono" data-testid="master-key-id">
                {master.keyId}
              </dd>
            </div>
            <div className="summary-row">
              <dt>Created</dt>
              <dd>
                {formatDateTime(master.created)}
                {master.origin === 'imported' ? ' (imported from a recovery key)' : ''}
              </dd>
            </div>
            <div className="summary-row">
              <dt>Recovery key</dt>
              <dd>
                {master.recoveryShownAt
                  ? `Shown ${formatDateTime(master.recoveryShownAt)}`
                  : 'Never shown'}
              </dd>
            </div>
          </dl>
          <RecoveryKeyPanel />
          {recoveryKey ? null : confirm === 'export' ? (
            <ConfirmBox
              label="Confirm showing the recovery key"
              testId="confirm-export"
              confirmLabel="Show the recovery key"
              busy={exporting}
              onConfirm={() => void exportRecovery().then(() => setConfirm(null))}
              onCancel={() => setConfirm(null)}
            >
              <p>
                Show the recovery key on screen? Anyone who sees it and has your storage credentials
                can read every workspace. Make sure nobody is watching your screen.
              </p>
            </ConfirmBox>
          ) : confirm === 'rotate' ? (
            <ConfirmBox
              label="Confirm master key rotation"
              testId="confirm-rotate"
              confirmLabel={rotating ? 'Rotating…' : 'Replace the master key'}
              variant="danger"
              busy={rotating}
              onConfirm={() => void rotateMaster().then(() => setConfirm(null))}
              onCancel={() => setConfirm(null)}
              status={
                rotating ? (
                  <span className="form-status" role="status">
                    Re-wrapping every workspace key with the new master key…
                  </span>
                ) : null
              }
              after={
                rotating ? (
                  <div className="progress" role="progressbar" aria-label="Rotating the master key">
                    <div className="progress-bar progress-indeterminate" />
                  </div>
                ) : null
              }
            >
              <p>
                <strong>Replace the master key?</strong> Cairn makes a new master key, re-wraps
                every workspace key and registry entry in the repository with it, and shows you the
                new recovery key once. Restore points stay as they are and keep working.
              </p>
              <ul className="plain-list">
                <li>Your current recovery key stops working: you must save the new one.</li>
                <li>Other computers using this repository must import the new recovery key.</li>
                <li>If it is interrupted, rotating again finishes the job; nothing is lost.</li>
              </ul>
              {running > 0 ? (
                <p className="field-error">
                  {running} job{running === 1 ? '' : 's'} running: the core refuses to rotate until
                  they finish.
                </p>
              ) : null}
            </ConfirmBox>
          ) : (
            <div className="form-actions">
              <Button small onClick={() => setConfirm('export')}>
                Show recovery key…
              </Button>
              <Button small onClick={() => setConfirm('rotate')}>
                Rotate master key…
              </Button>
            </div>
          )}
          {rotationError ? (
            <ErrorPanel
              error={rotationError}
              title="The master key was not replaced"
              testId="rotation-error"
            />
          ) : null}
          {exportError ? (
            <ErrorPanel error={exportError} title="The recovery key could not be shown" />
          ) : null}
        </>
      )}
    </section>
  )
}

function WorkspaceKeyRow({ workspaceId, name }: { workspaceId: string; name: string }) {
  const [confirming, setConfirming] = useState(false)
  const rotation = useKeys((s) => s.workspaceRotations[workspaceId])
  const busy = rotation?.state === 'running'
  return (
    <li className="key-row" data-testid="workspace-key-row" data-workspace-id={workspaceId}>
      <div className="key-row-main">
        <span className="key-row-name">{name}</span>
        {rotation?.state === 'done' ? (
          <span className="form-status" role="status">
            New key (version {rotation.keyVersion}) in use from the next backup.
          </span>
        ) : null}
        {confirming ? null : (
          <Button small onClick={() => setConfirming(true)} busy={busy}>
            Rotate key…
          </Button>
        )}
      </div>
      {confirming ? (
        <ConfirmBox
          label={`Confirm key rotation for ${name}`}
          confirmLabel="Rotate key"
          busy={busy}
          onConfirm={() =>
            void useKeys
              .getState()
              .rotateWorkspace(workspaceId)
              .then(() => setConfirming(false))
          }
          onCancel={() => setConfirming(false)}
        >
          <p>
            Give <strong>{name}</strong> a new data key? Backups from now on use it, so the next
            backup uploads everything again (more time and storage until older restore points are
            forgotten and pruned). Older restore points stay readable.
          </p>
        </ConfirmBox>
      ) : null}
      {rotation?.state === 'error' ? (
        <ErrorPanel error={rotation.error} title={`The key of ${name} was not rotated`} />
      ) : null}
    </li>
  )
}

function WorkspaceKeysSection() {
  const status = useSchedules((s) => s.status)
  const items = useSchedules((s) => s.items)
  const error = useSchedules((s) => s.error)
  const load = useSchedules((s) => s.load)
  useLoadWhenIdle(status, load)
  return (
    <section
      className="card section"
      aria-labelledby="workspace-keys-heading"
      data-testid="workspace-keys-section"
    >
      <SectionHeading
        id="workspace-keys-heading"
        icon={<KeyIcon size={20} />}
        title="Workspace keys"
        description="Each workspace's restore points are encrypted with a key of its own. Rotate one if you think it leaked (for example a VM you no longer trust)."
      />
      {status === 'error' && error ? (
        <ErrorPanel
          error={error}
          title="Could not list the workspaces"
          onRetry={() => void load()}
        />
      ) : status !== 'ready' ? (
        <Skeleton label="Loading workspaces" lines={2} />
      ) : items.length === 0 ? (
        <p className="muted">No workspaces yet.</p>
      ) : (
        <ul className="key-list">
          {items.map((i) => (
            <WorkspaceKeyRow key={i.workspaceId} workspaceId={i.workspaceId} name={i.name} />
          ))}
        </ul>
      )}
    </section>
  )
}

export function SecurityTab() {
  return (
    <>
      <KeychainSection />
      <MasterKeySection />
      <WorkspaceKeysSection />
    </>
  )
}
