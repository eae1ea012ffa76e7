import { useEffect, type ReactNode } from 'react'
import type { HetznerCatalog } from '../../../../shared/domain/hetzner'
import type { Job } from '../../../../shared/domain/jobs'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { Field } from '../../components/Field'
import { Message } from '../../components/Message'
import { defaultServerType, serverTypesFor } from '../../lib/catalog'
import { countryName } from '../../lib/format'
import { useHetzner } from '../../state/hetzner'
import { useWorkspaceCreate } from '../../state/workspace-create'
import { useLoadWhenIdle } from '../../lib/use-load-when-idle'

/*
 * What the Workspaces page's create form and onboarding's first-workspace step both hold: the
 * catalog they load, the name and location fields, and the errors they show.
 */

/** Hetzner's catalog, loaded once; the draft starts at the first location and its cheapest type. */
export function useCreateCatalog() {
  const draftLocation = useWorkspaceCreate((s) => s.draft.location)
  const openForm = useWorkspaceCreate((s) => s.openForm)
  const catalog = useHetzner((s) => s.catalog)
  const loadCatalog = useHetzner((s) => s.loadCatalog)
  useLoadWhenIdle(catalog.status, loadCatalog)
  const data = catalog.data
  useEffect(() => {
    if (!data || draftLocation) return
    const location = data.locations[0]?.name ?? ''
    openForm(location, defaultServerType(data, location))
  }, [data, draftLocation, openForm])
  return { catalog, loadCatalog }
}

export function WorkspaceNameField({ autoFocus = false }: { autoFocus?: boolean }) {
  const name = useWorkspaceCreate((s) => s.draft.name)
  const error = useWorkspaceCreate((s) => s.fieldErrors.name)
  const busy = useWorkspaceCreate((s) => s.submitting)
  const update = useWorkspaceCreate((s) => s.update)
  return (
    <Field
      label="Name"
      error={error}
      hint={
        <>
          Lowercase letters, digits and dashes; you will reach it as{' '}
          <span className="mono">ssh cairn-{name.trim() || '<name>'}</span>.
        </>
      }
    >
      {(props) => (
        <input
          {...props}
          className="input input-mono"
          name="name"
          value={name}
          autoComplete="off"
          spellCheck={false}
          maxLength={60}
          disabled={busy}
          autoFocus={autoFocus}
          onChange={(e) => update({ name: e.target.value })}
        />
      )}
    </Field>
  )
}

/** The location; a new one keeps the chosen type when offered there, else its cheapest. */
export function LocationField({
  catalog,
  placeholder = false,
}: {
  catalog: HetznerCatalog
  /** Offer "Choose a location" while none is chosen. */
  placeholder?: boolean
}) {
  const draft = useWorkspaceCreate((s) => s.draft)
  const error = useWorkspaceCreate((s) => s.fieldErrors.location)
  const update = useWorkspaceCreate((s) => s.update)
  const busy = useWorkspaceCreate((s) => s.submitting)
  return (
    <Field label="Location" error={error}>
      {(props) => (
        <select
          {...props}
          className="input"
          name="location"
          value={draft.location}
          disabled={busy}
          onChange={(e) => {
            const location = e.target.value
            const offered = serverTypesFor(catalog, location, false).rows
            const serverType = offered.some((r) => r.type.name === draft.serverType)
              ? draft.serverType
              : (offered[0]?.type.name ?? '')
            update({ location, serverType })
          }}
        >
          {placeholder && !draft.location ? <option value="">Choose a location</option> : null}
          {catalog.locations.map((l) => (
            <option key={l.name} value={l.name}>
              {l.city}, {countryName(l.country)} ({l.name})
            </option>
          ))}
        </select>
      )}
    </Field>
  )
}

export function CatalogLoadError({ message, onRetry }: { message: string; onRetry(): void }) {
  return (
    <Callout
      tone="error"
      title="Could not load locations and prices from Hetzner"
      actions={
        <Button small onClick={onRetry}>
          Retry
        </Button>
      }
    >
      <p>
        <Message text={message} />
      </p>
    </Callout>
  )
}

/** Why the create failed, unless a field already says it. */
export function CreateError() {
  const error = useWorkspaceCreate((s) => s.error)
  const fieldErrors = useWorkspaceCreate((s) => s.fieldErrors)
  if (!error || Object.keys(fieldErrors).length > 0) return null
  return (
    <Callout tone="error" title="The workspace was not created" testId="create-error">
      <p data-error-code={error.code}>
        <Message text={error.message} />
      </p>
    </Callout>
  )
}

/**
 * A create job that failed or was cancelled: why, and Back to the form (plus `actions`).
 * `leftover` says what became of a server it had started.
 */
export function CreateFailed({
  job,
  name,
  leftover,
  actions,
}: {
  job: Job
  name: string
  leftover: string
  actions?: ReactNode
}) {
  const backToForm = useWorkspaceCreate((s) => s.backToForm)
  return (
    <Callout
      tone={job.state === 'failed' ? 'error' : 'info'}
      title={job.state === 'failed' ? `${name} could not be created` : 'Creation cancelled'}
      testId="create-failed"
      actions={
        <>
          <Button small onClick={backToForm}>
            Back to the form
          </Button>
          {actions}
        </>
      }
    >
      {job.error ? (
        <p data-error-code={job.error.code}>
          <Message text={job.error.message} />
        </p>
      ) : (
        <p>{leftover}</p>
      )}
    </Callout>
  )
}
