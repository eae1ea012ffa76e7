import type { FormEvent } from 'react'
import type { HetznerCatalog } from '../../../../shared/domain/hetzner'
import { Button } from '../../components/Button'
import { Field } from '../../components/Field'
import { Skeleton } from '../../components/Skeleton'
import { serverTypesFor } from '../../lib/catalog'
import { formatGb } from '../../lib/format'
import { formatHourly, formatMonthly } from '../../lib/money'
import { MAX_IDLE_MINUTES, MIN_IDLE_MINUTES } from '../../lib/workspace-form'
import { useWorkspaceCreate } from '../../state/workspace-create'
import {
  CatalogLoadError,
  CreateError,
  LocationField,
  useCreateCatalog,
  WorkspaceNameField,
} from './CreateFields'
import { CreatePreflight } from './CreatePreflight'
import { CreateSource } from './CreateSource'

function LocationAndType({ catalog }: { catalog: HetznerCatalog }) {
  const draft = useWorkspaceCreate((s) => s.draft)
  const errors = useWorkspaceCreate((s) => s.fieldErrors)
  const update = useWorkspaceCreate((s) => s.update)
  const busy = useWorkspaceCreate((s) => s.submitting)
  const view = serverTypesFor(catalog, draft.location, false)
  const chosen = view.rows.find((r) => r.type.name === draft.serverType)
  return (
    <>
      <LocationField catalog={catalog} placeholder />
      <Field
        label="Server type"
        error={errors.serverType}
        hint={
          chosen ? (
            <span data-testid="create-price">
              {chosen.type.cores} vCPU · {formatGb(chosen.type.memoryGb)} memory ·{' '}
              {formatGb(chosen.type.diskGb)} disk — {formatHourly(chosen.price.hourlyGross)}, at
              most {formatMonthly(chosen.price.monthlyGross)}
            </span>
          ) : (
            'Prices include VAT; Hetzner bills by the hour up to the monthly price.'
          )
        }
      >
        {(props) => (
          <select
            {...props}
            className="input"
            name="serverType"
            value={draft.serverType}
            disabled={busy || view.rows.length === 0}
            onChange={(e) => update({ serverType: e.target.value })}
          >
            {view.rows.length === 0 ? <option value="">None offered here</option> : null}
            {view.rows.map(({ type, price }) => (
              <option key={type.id} value={type.name}>
                {type.name} — {type.cores} vCPU, {formatGb(type.memoryGb)} —{' '}
                {formatHourly(price.hourlyGross)} · {formatMonthly(price.monthlyGross)}
              </option>
            ))}
          </select>
        )}
      </Field>
    </>
  )
}

/** The create form: name, where and how big, when to stop it, what to keep. */
export function CreateForm() {
  const draft = useWorkspaceCreate((s) => s.draft)
  const errors = useWorkspaceCreate((s) => s.fieldErrors)
  const busy = useWorkspaceCreate((s) => s.submitting)
  const preflight = useWorkspaceCreate((s) => s.preflight)
  const { update, submit, check, close } = useWorkspaceCreate.getState()
  const ready = preflight.status === 'done' && preflight.result.ok
  const checking = preflight.status === 'running'
  const { catalog, loadCatalog } = useCreateCatalog()
  const data = catalog.data

  return (
    <section
      className="card section ws-create"
      aria-labelledby="create-heading"
      data-testid="create-form"
    >
      <h2 className="ws-section-title" id="create-heading">
        New workspace
      </h2>
      <form
        noValidate
        onSubmit={(e: FormEvent) => {
          e.preventDefault()
          // Create only after the checks passed for exactly what the form holds.
          void (ready ? submit() : check())
        }}
      >
        <div className="form-grid">
          <WorkspaceNameField autoFocus />
          <Field
            label="Auto-stop when idle"
            error={errors.idleTimeoutMinutes}
            hint={
              draft.idleEnabled
                ? 'Minutes without anyone (or any agent) at work before Cairn backs it up and stops it.'
                : 'Off: the workspace runs, and costs, until you stop it.'
            }
          >
            {(props) => (
              <div className="ws-idle">
                <label className="checkbox">
                  <input
                    type="checkbox"
                    name="idleEnabled"
                    checked={draft.idleEnabled}
                    disabled={busy}
                    onChange={(e) => update({ idleEnabled: e.target.checked })}
                  />
                  Stop after
                </label>
                <input
                  {...props}
                  className="input ws-idle-minutes"
                  name="idleMinutes"
                  inputMode="numeric"
                  value={draft.idleMinutes}
                  disabled={busy || !draft.idleEnabled}
                  title={`${MIN_IDLE_MINUTES} to ${MAX_IDLE_MINUTES} minutes`}
                  onChange={(e) => update({ idleMinutes: e.target.value })}
                />
                <span className="muted">minutes</span>
              </div>
            )}
          </Field>
          {catalog.status === 'error' && catalog.error ? (
            <div className="span-2">
              <CatalogLoadError
                message={catalog.error.message}
                onRetry={() => void loadCatalog()}
              />
            </div>
          ) : data ? (
            <LocationAndType catalog={data} />
          ) : (
            <div className="span-2">
              <Skeleton label="Loading locations and prices from Hetzner" lines={2} />
            </div>
          )}
          <Field
            label="Folders to keep"
            error={errors.paths}
            hint="One absolute path per line. These are backed up and come back on every start."
          >
            {(props) => (
              <textarea
                {...props}
                className="input input-mono ws-paths"
                name="paths"
                rows={2}
                value={draft.paths}
                spellCheck={false}
                disabled={busy}
                onChange={(e) => update({ paths: e.target.value })}
              />
            )}
          </Field>
          <Field
            label="Leave out"
            optional
            error={errors.excludes}
            hint="One pattern per line (like .gitignore): not backed up, so not restored either."
          >
            {(props) => (
              <textarea
                {...props}
                className="input input-mono ws-paths"
                name="excludes"
                rows={2}
                value={draft.excludes}
                spellCheck={false}
                disabled={busy}
                onChange={(e) => update({ excludes: e.target.value })}
              />
            )}
          </Field>
          <CreateSource />
        </div>
        <CreatePreflight />
        <CreateError />
        <div className="form-actions">
          {ready ? (
            <Button type="submit" variant="primary" busy={busy}>
              Create workspace
            </Button>
          ) : (
            <Button type="submit" variant="primary" busy={checking}>
              {preflight.status === 'done' || preflight.status === 'error'
                ? 'Check again'
                : 'Check before creating'}
            </Button>
          )}
          <Button variant="ghost" disabled={busy} onClick={close}>
            Cancel
          </Button>
          <span className="form-status muted">
            {ready && preflight.status === 'done' && preflight.result.offer
              ? `Ubuntu 24.04 · ${formatHourly(preflight.result.offer.priceHourly)}, at most ${formatMonthly(preflight.result.offer.priceMonthly)}; billing starts when Hetzner creates the server.`
              : 'Nothing is bought until you press Create after the checks.'}
          </span>
        </div>
      </form>
    </section>
  )
}
