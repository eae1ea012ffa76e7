import { useState } from 'react'
import type { StorageConfig } from '../../../../shared/domain/settings'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { DatabaseIcon, FolderIcon } from '../../components/icons'
import { storedSecretApplies, type StorageDraft } from '../../lib/storage-form'
import { useOnboarding } from '../../state/onboarding'
import { useSettings } from '../../state/settings'
import { useStorage } from '../../state/storage'
import { StorageForm } from '../settings/StorageForm'
import { StorageRunError } from '../settings/StorageRunError'
import { StorageSteps } from '../settings/StorageSteps'
import { StepFooter } from './StepFooter'

function describe(config: StorageConfig): string {
  return config.kind === 'folder'
    ? config.path
    : `${config.bucket}${config.prefix ? `/${config.prefix}` : ''} at ${config.endpoint}`
}

/** What the last Test or Save said. */
function RunOutcome() {
  const run = useStorage((s) => s.run)
  const endpoint = useStorage((s) => (s.draft.kind === 's3' ? s.draft.endpoint : null))
  if (run.status === 'idle' || run.status === 'running' || run.status === 'saved') return null
  if (run.status === 'error') {
    return <StorageRunError run={run} endpoint={endpoint} />
  }
  const ok = run.result.ok
  return (
    <Callout
      tone={ok ? 'success' : 'error'}
      title={ok ? 'Connection works' : 'Cairn cannot use this storage yet'}
      testId="storage-result"
    >
      <p>
        {ok
          ? 'Cairn wrote, read and deleted a test object. Press Save to keep these settings.'
          : 'Nothing was saved. Fix the problem below and save again.'}
      </p>
      <StorageSteps result={run.result} />
    </Callout>
  )
}

/** Where restore points are kept: the Settings form, and what is saved already. */
export function StorageStep() {
  // Kept with the draft it was about: typing into the form clears it.
  const [problem, setProblem] = useState<{ text: string; draft: StorageDraft } | null>(null)
  const draft = useStorage((s) => s.draft)
  const settings = useSettings((s) => s.settings)
  const editing = useStorage((s) => s.editing)
  const edit = useStorage((s) => s.edit)
  const cancelEdit = useStorage((s) => s.cancelEdit)
  const running = useStorage((s) => s.run.status === 'running')
  const saved = settings?.storage ?? null
  const secretStored = useStorage((s) =>
    storedSecretApplies(s.draft, saved, settings?.hasStorageSecret ?? false),
  )
  const goTo = useOnboarding((s) => s.goTo)
  const showForm = !saved || editing
  return (
    <section className="onb-step-body" aria-labelledby="onb-storage-title">
      <h1 className="onb-title" id="onb-storage-title">
        Where should restore points live?
      </h1>
      <p className="onb-lead">
        Everything is encrypted on this computer before it is stored, so the storage never sees your
        files. Cloudflare R2 has no fees for downloads, which makes starting a workspace cheap.
      </p>
      {saved && !editing ? (
        <div className="onb-saved" data-testid="onboarding-storage-saved">
          <span className="onb-saved-icon" aria-hidden="true">
            {saved.kind === 'folder' ? <FolderIcon size={18} /> : <DatabaseIcon size={18} />}
          </span>
          <div className="onb-saved-text">
            <p className="onb-saved-title">
              {saved.kind === 'folder' ? 'Local folder saved' : 'Bucket saved'}
            </p>
            <p className="onb-saved-detail mono">{describe(saved)}</p>
          </div>
          <Button small onClick={edit}>
            Change
          </Button>
        </div>
      ) : (
        <StorageForm secretStored={secretStored} onCancel={saved ? cancelEdit : undefined} />
      )}
      {showForm ? <RunOutcome /> : null}
      <StepFooter
        step="storage"
        problem={saved && !editing ? null : problem?.draft === draft ? problem.text : null}
        busy={running}
        onNext={() => {
          if (!saved) {
            setProblem({
              text: 'Save a storage first: fill in the form above and press Save.',
              draft,
            })
            return
          }
          if (editing) {
            setProblem({ text: 'Save your changes or press Cancel first.', draft })
            return
          }
          setProblem(null)
          goTo('keys')
        }}
      />
    </section>
  )
}
