import { useState } from 'react'
import type { SettingsView, StorageConfig } from '../../../../shared/domain/settings'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { ErrorPanel } from '../../components/ErrorPanel'
import { DatabaseIcon, FolderIcon } from '../../components/icons'
import { storedSecretApplies } from '../../lib/storage-form'
import { useStorage } from '../../state/storage'
import { SectionHeading } from './SectionHeading'
import { StorageForm } from './StorageForm'
import { StorageRunError } from './StorageRunError'
import { StorageSteps } from './StorageSteps'

function SavedStorage({ config, hasSecret }: { config: StorageConfig; hasSecret: boolean }) {
  const [confirming, setConfirming] = useState(false)
  const edit = useStorage((s) => s.edit)
  const testSaved = useStorage((s) => s.testSaved)
  const remove = useStorage((s) => s.remove)
  const removal = useStorage((s) => s.removal)
  const run = useStorage((s) => s.run)
  const running = run.status === 'running'
  const rows: [string, string][] =
    config.kind === 'folder'
      ? [['Folder', config.path]]
      : [
          ['Endpoint', config.endpoint],
          ['Bucket', config.bucket],
          ['Prefix', config.prefix || '(none)'],
          ['Region', config.region],
          ['Access key ID', config.accessKeyId],
          ['Secret key', hasSecret ? 'In your keychain' : 'Missing: enter it again'],
          ['Addressing', config.forcePathStyle ? 'Path-style' : 'Virtual-hosted'],
        ]
  return (
    <div className="stored" data-testid="storage-saved">
      <div className="stored-row">
        <span className="stored-icon" aria-hidden="true">
          {config.kind === 'folder' ? <FolderIcon size={17} /> : <DatabaseIcon size={17} />}
        </span>
        <div className="stored-text">
          <p className="stored-title">
            {config.kind === 'folder' ? 'Local folder' : 'S3-compatible bucket'}
          </p>
          <p className="stored-detail">Saved. Restore points will be kept here.</p>
        </div>
        {confirming ? null : (
          <div className="stored-actions">
            <Button
              small
              busy={running && run.action === 'test'}
              disabled={running}
              onClick={() => void testSaved()}
            >
              Test connection
            </Button>
            <Button small disabled={running} onClick={edit}>
              Change
            </Button>
            <Button small variant="danger" disabled={running} onClick={() => setConfirming(true)}>
              Remove
            </Button>
          </div>
        )}
      </div>
      <dl className="summary">
        {rows.map(([term, value]) => (
          <div key={term} className="summary-row">
            <dt>{term}</dt>
            <dd
              className={
                term === 'Secret key' || term === 'Addressing' || term === 'Prefix'
                  ? undefined
                  : 'mono'
              }
            >
              {value}
            </dd>
          </div>
        ))}
      </dl>
      {confirming ? (
        <div className="confirm" role="group" aria-label="Confirm removal">
          <p>
            Forget this storage
            {config.kind === 's3' ? ' and remove its secret key from your keychain' : ''}? Nothing
            in the {config.kind === 's3' ? 'bucket' : 'folder'} is deleted.
          </p>
          <div className="form-actions">
            <Button
              small
              variant="danger"
              busy={removal.status === 'busy'}
              onClick={() => void remove().then(() => setConfirming(false))}
            >
              Remove storage
            </Button>
            <Button
              small
              variant="ghost"
              disabled={removal.status === 'busy'}
              onClick={() => setConfirming(false)}
            >
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
      {removal.status === 'error' ? (
        <ErrorPanel error={removal.error} title="The storage settings could not be removed" />
      ) : null}
    </div>
  )
}

function firstFailure(steps: { step: string; ok: boolean }[]): string | null {
  const failed = steps.find((s) => !s.ok)
  return failed ? failed.step : null
}

const stepNames: Record<string, string> = {
  connect: 'connecting',
  write: 'writing',
  read: 'reading',
  delete: 'deleting',
}

function RunResult({ endpoint }: { endpoint: string | null }) {
  const run = useStorage((s) => s.run)
  if (run.status === 'idle' || run.status === 'running') return null
  if (run.status === 'error') {
    return <StorageRunError run={run} endpoint={endpoint} />
  }
  const failedAt = firstFailure(run.result.steps)
  const ok = run.result.ok && !failedAt
  const title = ok
    ? run.status === 'saved'
      ? 'Storage saved'
      : 'Connection works'
    : `The check failed while ${stepNames[failedAt ?? ''] ?? 'testing'}`
  return (
    <Callout tone={ok ? 'success' : 'error'} title={title} testId="storage-result">
      {ok ? (
        <p>
          {run.status === 'saved'
            ? 'Cairn wrote, read and deleted a test object, then saved these settings.'
            : 'Cairn wrote, read and deleted a test object. Nothing was saved yet.'}
        </p>
      ) : (
        <p>
          {run.status === 'not-saved'
            ? 'Nothing was saved. Fix the problem below and save again.'
            : 'Fix the problem below and test again.'}
        </p>
      )}
      <StorageSteps result={run.result} />
    </Callout>
  )
}

export function StorageSection({ settings }: { settings: SettingsView }) {
  const editing = useStorage((s) => s.editing)
  const cancelEdit = useStorage((s) => s.cancelEdit)
  const endpoint = useStorage((s) => (s.draft.kind === 's3' ? s.draft.endpoint : null))
  const saved = settings.storage
  const secretStored = useStorage((s) =>
    storedSecretApplies(s.draft, saved, settings.hasStorageSecret),
  )
  return (
    <section
      className="card section"
      aria-labelledby="storage-heading"
      data-testid="storage-section"
    >
      <SectionHeading
        id="storage-heading"
        icon={<DatabaseIcon size={20} />}
        title="Storage"
        description="Where restore points are kept: an S3-compatible bucket such as Cloudflare R2, or a folder. Data is encrypted on this machine before it is stored."
      />
      {saved && !editing ? (
        <SavedStorage config={saved} hasSecret={settings.hasStorageSecret} />
      ) : (
        <StorageForm secretStored={secretStored} onCancel={saved ? cancelEdit : undefined} />
      )}
      <RunResult endpoint={endpoint ?? (saved?.kind === 's3' ? saved.endpoint : null)} />
    </section>
  )
}
