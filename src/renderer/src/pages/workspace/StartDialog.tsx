import { useId, useMemo, useState, type FormEvent } from 'react'
import type { RestorePoint } from '../../../../shared/domain/backup'
import type { WorkspaceView } from '../../../../shared/domain/workspace'
import { Dialog, DialogFooter } from '../../components/Dialog'
import type { UiError } from '../../lib/errors'
import { formatBytes, formatDateTime } from '../../lib/format'
import { formatHourly } from '../../lib/money'
import { useHetzner } from '../../state/hetzner'
import { shortId, triggerLabels } from './restore-point-format'
import { useLoadWhenIdle } from '../../lib/use-load-when-idle'

export interface StartChoice {
  /** 'latest' or a restore point id. */
  restorePoint: string
  /** Undefined: the last used. */
  location?: string
  serverType?: string
}

/** The newest points offered in the list; an older one comes from the timeline's Start from here. */
const OFFERED = 100

function pointLabel(point: RestorePoint): string {
  return `${formatDateTime(point.time)} · ${triggerLabels[point.trigger]} · ${formatBytes(point.size)} · ${shortId(point.id)}`
}

/**
 * Start a stopped workspace: which restore point (the latest unless chosen), and optionally
 * another location or server type. Says what will happen before any money is spent.
 */
export function StartDialog({
  ws,
  points,
  initial,
  busy,
  error,
  onStart,
  onClose,
}: {
  ws: WorkspaceView
  /** Oldest first. */
  points: RestorePoint[]
  /** A restore point id chosen in the timeline, or 'latest'. */
  initial: string
  busy: boolean
  error: UiError | null
  onStart(choice: StartChoice): void
  onClose(): void
}) {
  const id = useId()
  const catalog = useHetzner((s) => s.catalog)
  const loadCatalog = useHetzner((s) => s.loadCatalog)
  const [restorePoint, setRestorePoint] = useState(initial)
  const [location, setLocation] = useState(ws.location ?? '')
  const [serverType, setServerType] = useState(ws.serverType ?? '')
  useLoadWhenIdle(catalog.status, loadCatalog)

  const offered = useMemo(() => {
    const newest = points.slice(-OFFERED).reverse()
    const chosen = points.find((p) => p.id === initial)
    if (chosen && !newest.includes(chosen)) newest.push(chosen)
    return newest
  }, [points, initial])
  const latest = points[points.length - 1] ?? null
  const chosen = restorePoint === 'latest' ? latest : points.find((p) => p.id === restorePoint)
  const types = catalog.data?.serverTypes.filter(
    (t) => !t.deprecated && t.prices.some((p) => p.location === location),
  )
  const price = catalog.data?.serverTypes
    .find((t) => t.name === serverType)
    ?.prices.find((p) => p.location === location)
  const typeAvailable = !types || types.some((t) => t.name === serverType)

  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (busy || !typeAvailable) return
    onStart({
      restorePoint,
      location: location && location !== ws.location ? location : undefined,
      serverType: serverType && serverType !== ws.serverType ? serverType : undefined,
    })
  }

  return (
    <Dialog
      className="wd-start-dialog"
      titleId={`${id}-title`}
      testId="start-dialog"
      busy={busy}
      onClose={onClose}
    >
      <form method="dialog" noValidate onSubmit={submit}>
        <h2 className="dialog-title" id={`${id}-title`}>
          Start {ws.name}
        </h2>
        <div className="field">
          <label className="field-label" htmlFor={`${id}-point`}>
            Restore point
          </label>
          <select
            id={`${id}-point`}
            className="input"
            name="restorePoint"
            value={restorePoint}
            disabled={busy}
            onChange={(e) => setRestorePoint(e.target.value)}
          >
            <option value="latest">
              Latest{latest ? ` (${formatDateTime(latest.time)})` : ''}
            </option>
            {offered.map((p) => (
              <option key={p.id} value={p.id}>
                {pointLabel(p)}
              </option>
            ))}
          </select>
        </div>
        <div className="wd-start-where">
          <div className="field">
            <label className="field-label" htmlFor={`${id}-location`}>
              Location
            </label>
            <select
              id={`${id}-location`}
              className="input"
              name="location"
              value={location}
              disabled={busy || !catalog.data}
              onChange={(e) => setLocation(e.target.value)}
            >
              {catalog.data ? null : (
                <option value={location}>{location || 'the last used'}</option>
              )}
              {catalog.data?.locations.map((l) => (
                <option key={l.name} value={l.name}>
                  {l.city} ({l.name})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label className="field-label" htmlFor={`${id}-type`}>
              Server type
            </label>
            <select
              id={`${id}-type`}
              className="input"
              name="serverType"
              value={serverType}
              disabled={busy || !catalog.data}
              aria-invalid={!typeAvailable}
              aria-describedby={typeAvailable ? undefined : `${id}-type-error`}
              onChange={(e) => setServerType(e.target.value)}
            >
              {types?.some((t) => t.name === serverType) === false || !types ? (
                <option value={serverType}>{serverType || 'the last used'}</option>
              ) : null}
              {types?.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name} · {t.cores} vCPU · {t.memoryGb} GB
                </option>
              ))}
            </select>
            {typeAvailable ? null : (
              <p className="field-error" id={`${id}-type-error`}>
                {serverType} is not offered in {location}: choose another type.
              </p>
            )}
          </div>
        </div>
        {catalog.status === 'error' ? (
          <p className="field-hint">
            Hetzner&apos;s locations could not be loaded; the workspace starts where it ran last.
          </p>
        ) : null}
        <p className="dialog-text" data-testid="start-summary">
          Cairn creates a new server
          {price ? ` (${formatHourly(price.hourlyGross)})` : ''} and restores{' '}
          {chosen
            ? `the restore point of ${formatDateTime(chosen.time)} (${formatBytes(chosen.size)}, ${chosen.files.toLocaleString('en-GB')} files)`
            : 'the latest restore point'}{' '}
          into it. Billing starts when the server is created.
        </p>
        <DialogFooter
          error={error}
          busy={busy}
          submitLabel="Start workspace"
          variant="primary"
          disabled={!typeAvailable}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  )
}
