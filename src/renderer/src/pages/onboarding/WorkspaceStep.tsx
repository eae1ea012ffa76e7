import { useEffect, type FormEvent } from 'react'
import type { HetznerCatalog } from '../../../../shared/domain/hetzner'
import { Skeleton } from '../../components/Skeleton'
import { Spinner } from '../../components/Spinner'
import { serverTypesFor } from '../../lib/catalog'
import { formatGb } from '../../lib/format'
import { formatHourly, formatMonthly } from '../../lib/money'
import { useJobs } from '../../state/jobs'
import { useOnboarding } from '../../state/onboarding'
import { resetCreateDraft, useWorkspaceCreate } from '../../state/workspace-create'
import {
  CatalogLoadError,
  CreateError,
  CreateFailed,
  LocationField,
  useCreateCatalog,
  WorkspaceNameField,
} from '../workspaces/CreateFields'
import { JobProgress } from '../workspaces/JobProgress'
import { StepFooter } from './StepFooter'

/** At most this many server types as cards; the cheapest are what a first workspace needs. */
const TYPE_CHOICES = 4

function ServerChoice({ catalog }: { catalog: HetznerCatalog }) {
  const draft = useWorkspaceCreate((s) => s.draft)
  const errors = useWorkspaceCreate((s) => s.fieldErrors)
  const update = useWorkspaceCreate((s) => s.update)
  const busy = useWorkspaceCreate((s) => s.submitting)
  const rows = serverTypesFor(catalog, draft.location, false).rows
  const shown = rows.slice(0, TYPE_CHOICES)
  // A type chosen elsewhere (the full create form) stays visible.
  const chosen = rows.find((r) => r.type.name === draft.serverType)
  if (chosen && !shown.includes(chosen)) shown.push(chosen)
  return (
    <>
      <LocationField catalog={catalog} />
      <fieldset className="onb-types" data-testid="onboarding-types">
        <legend className="field-label">Server size</legend>
        {shown.length === 0 ? (
          <p className="field-error">No server type is offered in this location: choose another.</p>
        ) : null}
        {shown.map(({ type, price }) => (
          <label key={type.id} className="onb-type">
            <input
              type="radio"
              name="serverType"
              value={type.name}
              checked={draft.serverType === type.name}
              disabled={busy}
              onChange={() => update({ serverType: type.name })}
            />
            <span className="onb-type-name mono">{type.name}</span>
            <span className="onb-type-spec">
              {type.cores} vCPU · {formatGb(type.memoryGb)} · {formatGb(type.diskGb)} disk
            </span>
            <span className="onb-type-price">
              {formatHourly(price.hourlyGross)}
              <span className="muted"> · max {formatMonthly(price.monthlyGross)}</span>
            </span>
          </label>
        ))}
        {errors.serverType ? <p className="field-error">{errors.serverType}</p> : null}
      </fieldset>
    </>
  )
}

function CreateJob({ jobId, name }: { jobId: string; name: string }) {
  const job = useJobs((s) => s.jobs.find((j) => j.id === jobId) ?? null)
  const finish = useOnboarding((s) => s.finish)
  const succeeded = job?.state === 'succeeded' ? job : null
  useEffect(() => {
    if (!succeeded?.workspaceId) return
    resetCreateDraft()
    finish(succeeded.workspaceId)
  }, [succeeded, finish])

  return (
    <section
      className="onb-step-body"
      aria-labelledby="onb-workspace-title"
      data-testid="onboarding-creating"
    >
      <h1 className="onb-title" id="onb-workspace-title">
        Creating <span className="mono">{name}</span>
      </h1>
      <p className="onb-lead">
        Hetzner creates the server, then Cairn waits until it answers over SSH with the host key
        Cairn gave it, and its setup has finished. This takes a minute or two.
      </p>
      {!job || job.state === 'queued' || job.state === 'running' || job.state === 'succeeded' ? (
        job ? (
          <JobProgress job={job} label={`Creating ${name}`} />
        ) : (
          <p className="status-line">
            <Spinner size={12} /> Starting…
          </p>
        )
      ) : (
        <CreateFailed
          job={job}
          name={name}
          leftover="Any server Cairn had started for it is deleted."
        />
      )}
    </section>
  )
}

/** A short create form: name, where, how big. Auto-stop and kept folders take their defaults. */
export function WorkspaceStep() {
  const panel = useWorkspaceCreate((s) => s.panel)
  const draft = useWorkspaceCreate((s) => s.draft)
  const busy = useWorkspaceCreate((s) => s.submitting)
  const { update, submit } = useWorkspaceCreate.getState()
  // Defaults: the first location, its cheapest type, and a name to change or keep.
  const { catalog, loadCatalog } = useCreateCatalog()
  const data = catalog.data
  useEffect(() => {
    if (panel.mode === 'closed' && !draft.name) update({ name: 'dev' })
  }, [panel.mode, draft.name, update])

  if (panel.mode === 'job') return <CreateJob jobId={panel.jobId} name={panel.name} />

  return (
    <section className="onb-step-body" aria-labelledby="onb-workspace-title">
      <h1 className="onb-title" id="onb-workspace-title">
        Create your first workspace
      </h1>
      <p className="onb-lead">
        A workspace is an Ubuntu server for your code.{' '}
        {draft.idleEnabled ? (
          <>
            It stops by itself after {draft.idleMinutes.trim() || '30'} idle minutes: Cairn backs up{' '}
            <span className="mono">/home/dev</span> and deletes the server, so it costs nothing
            until you start it again.
          </>
        ) : (
          <>
            Stop it when you are done: Cairn backs up <span className="mono">/home/dev</span> and
            deletes the server, so it costs nothing until you start it again.
          </>
        )}
      </p>
      <form
        className="onb-form"
        noValidate
        onSubmit={(e: FormEvent) => {
          e.preventDefault()
          void submit()
        }}
      >
        <WorkspaceNameField />
        {catalog.status === 'error' && catalog.error ? (
          <CatalogLoadError message={catalog.error.message} onRetry={() => void loadCatalog()} />
        ) : data ? (
          <ServerChoice catalog={data} />
        ) : (
          <Skeleton label="Loading locations and prices from Hetzner" lines={3} />
        )}
        {/* Enter in the name field creates, like the button below. */}
        <button type="submit" hidden tabIndex={-1} aria-hidden="true" />
      </form>
      <CreateError />
      <StepFooter
        step="workspace"
        nextLabel="Create workspace"
        busy={busy}
        onNext={() => void submit()}
        extra={<span className="onb-footnote muted">Billing starts when the server exists.</span>}
      />
    </section>
  )
}
