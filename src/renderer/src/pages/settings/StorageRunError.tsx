import { Callout } from '../../components/Callout'
import { Message } from '../../components/Message'
import { storageErrorHeading } from '../../lib/errors'
import type { StorageRun } from '../../state/storage'

/** Why the storage Test or Save failed (Settings and onboarding alike). */
export function StorageRunError({
  run,
  endpoint,
}: {
  run: Extract<StorageRun, { status: 'error' }>
  endpoint: string | null
}) {
  return (
    <Callout tone="error" title={storageErrorHeading(run.error, endpoint)} testId="storage-error">
      <p data-error-code={run.error.code}>
        <Message text={run.error.message} />
      </p>
      {run.action === 'save' ? <p className="callout-note">Nothing was saved.</p> : null}
    </Callout>
  )
}
