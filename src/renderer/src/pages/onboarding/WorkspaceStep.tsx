import { useEffect, type FormEvent } from 'react'
import type { HetznerCatalog } from '../../../../shared/domain/hetzner'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { Field } from '../../components/Field'
import { Message } from '../../components/Message'
import { Skeleton } from '../../components/Skeleton'
import { Spinner } from '../../components/Spinner'
import { serverTypesFor } from '../../lib/catalog'
import { countryName, formatGb } from '../../lib/format'
import { formatHourly, formatMonthly } from '../../lib/money'
import { useHetzner } from '../../state/hetzner'
import { useJobs } from '../../state/jobs'
import { useOnboarding } from '../../state/onboarding'
import { resetCreateDraft, useWorkspaceCreate } from '../../state/workspace-create'
import { defaultServerType } from '../workspaces/CreateForm'
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
      <Field label="Location" error={errors.location}>
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
            {catalog.locations.map((l) => (
              <option key={l.name} value={l.name}>
                {l.city}, {countryName(l.country)} ({l.name})
              </option>
            ))}
          </select>
        )}
      </Field>
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
  const backToForm = useWorkspaceCreate((s) => s.backToForm)
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
        <Callout
          tone={job.state === 'failed' ? 'error' : 'info'}
          title={job.state === 'failed' ? `${name} could not be created` : 'Creation cancelled'}
          testId="create-failed"
          actions={
            <Button small onClick={backToForm}>
              Back to the form
            </Button>
          }
        >
          {job.error ? (
            <p data-error-code={job.error.code}>
              <Message text={job.error.message} />
            </p>
          ) : (
            <p>Any server Cairn had started for it is deleted.</p>
          )}
        </Callout>
      )}
    </section>
  )
}

/** A short create form: name, where, how big. Auto-stop and kept folders take their defaults. */
export function WorkspaceStep() {
  const panel = useWorkspaceCreate((s) => s.panel)
  const draft = useWorkspaceCreate((s) => s.draft)
  const errors = useWorkspaceCreate((s) => s.fieldErrors)
  const error = useWorkspaceCreate((s) => s.error)
  const busy = useWorkspaceCreate((s) => s.submitting)
  const { update, submit, openForm } = useWorkspaceCreate.getState()
  const catalog = useHetzner((s) => s.catalog)
  const loadCatalog = useHetzner((s) => s.loadCatalog)

  useEffect(() => {
    if (catalog.status === 'idle') void loadCatalog()
  }, [catalog.status, loadCatalog])
  const data = catalog.data
  // Defaults: the first location, its cheapest type, and a name to change or keep.
  useEffect(() => {
    if (!data || draft.location) return
    const location = data.locations[0]?.name ?? ''
    openForm(location, defaultServerType(data, location))
  }, [data, draft.location, openForm])
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
        <Field
          label="Name"
          error={errors.name}
          hint={
            <>
              Lowercase letters, digits and dashes. You will reach it as{' '}
              <span className="mono">ssh cairn-{draft.name.trim() || '<name>'}</span>.
            </>
          }
        >
          {(props) => (
            <input
              {...props}
              className="input input-mono"
              name="name"
              value={draft.name}
              autoComplete="off"
              spellCheck={false}
              maxLength={60}
              disabled={busy}
              onChange={(e) => update({ name: e.target.value })}
            />
          )}
        </Field>
        {catalog.status === 'error' && catalog.error ? (
          <Callout
            tone="error"
            title="Could not load locations and prices from Hetzner"
            actions={
              <Button small onClick={() => void loadCatalog()}>
                Retry
              </Button>
            }
          >
            <p>
              <Message text={catalog.error.message} />
            </p>
          </Callout>
        ) : data ? (
          <ServerChoice catalog={data} />
        ) : (
          <Skeleton label="Loading locations and prices from Hetzner" lines={3} />
        )}
        {/* Enter in the name field creates, like the button below. */}
        <button type="submit" hidden tabIndex={-1} aria-hidden="true" />
      </form>
      {error && Object.keys(errors).length === 0 ? (
        <Callout tone="error" title="The workspace was not created" testId="create-error">
          <p data-error-code={error.code}>
            <Message text={error.message} />
          </p>
        </Callout>
      ) : null}
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
