import { useEffect, useId, useMemo, useState, type FormEvent } from 'react'
import type { PreflightOutput, RestorePoint } from '../../../../../shared/domain/backup'
import type { Job } from '../../../../../shared/domain/jobs'
import { workspaceNameSchema, type WorkspaceView } from '../../../../../shared/domain/workspace'
import { Button } from '../../../components/Button'
import { Dialog } from '../../../components/Dialog'
import { ErrorPanel } from '../../../components/ErrorPanel'
import { Field } from '../../../components/Field'
import { serverTypesFor } from '../../../lib/catalog'
import { toUiError, type UiError } from '../../../lib/errors'
import { formatBytes, formatDateTime } from '../../../lib/format'
import { formatHourly, formatMonthly } from '../../../lib/money'
import { getApi } from '../../../state/api'
import { useHetzner } from '../../../state/hetzner'
import { describeSelection } from './entry-format'
import {
  folderDestination,
  folderPathProblem,
  forkName,
  workspaceDestination,
  workspaceRestoreBlocker,
  type Selection,
} from './restore-targets'
import { useLoadWhenIdle } from '../../../lib/use-load-when-idle'

export type Destination = 'workspace' | 'new' | 'folder'

/** A restore the dialog started, for the panel to follow. */
export interface StartedRestore {
  destination: Destination
  job: Job
  /** For people: where it goes. */
  where: string
}

const CONFLICTS_SHOWN = 8

/** One "Restore into" radio with its title and what it does (or why it cannot). */
function DestinationChoice({
  value,
  chosen,
  disabled,
  unavailable = false,
  title,
  hint,
  onChoose,
}: {
  value: Destination
  chosen: Destination
  disabled: boolean
  /** Not possible now (the hint says why): shown dimmed. */
  unavailable?: boolean
  title: string
  hint: string
  onChoose(destination: Destination): void
}) {
  return (
    <label className={`rp-choice${unavailable ? ' rp-choice-disabled' : ''}`}>
      <input
        type="radio"
        name="destination"
        value={value}
        checked={chosen === value}
        disabled={disabled}
        onChange={() => onChoose(value)}
      />
      <span>
        <strong>{title}</strong>
        <span className="rp-choice-hint">{hint}</span>
      </span>
    </label>
  )
}

/**
 * Restore a file, folder or the whole restore point: into the running workspace, into a new
 * workspace (a fork), or into a local folder. First the choice and its fields, then a review that
 * says exactly what will happen (which paths, where, what is replaced, the safety backup, what a
 * new server costs); nothing starts before the user confirms there.
 */
export function RestoreDialog({
  ws,
  point,
  selection,
  workspaceBusy,
  onStarted,
  onClose,
}: {
  ws: WorkspaceView
  point: RestorePoint
  selection: Selection
  workspaceBusy: boolean
  onStarted(started: StartedRestore): void
  onClose(): void
}) {
  const id = useId()
  const blocker = workspaceRestoreBlocker(ws, workspaceBusy)
  const [destination, setDestination] = useState<Destination>(blocker ? 'folder' : 'workspace')
  const [step, setStep] = useState<'choose' | 'confirm'>('choose')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<UiError | null>(null)
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  // Into a folder
  const [folder, setFolder] = useState('')
  const [preflight, setPreflight] = useState<PreflightOutput | null>(null)
  const [overwrite, setOverwrite] = useState(false)
  // Into a new workspace
  const catalog = useHetzner((s) => s.catalog)
  const loadCatalog = useHetzner((s) => s.loadCatalog)
  const [name, setName] = useState(() => forkName(ws, point))
  const [location, setLocation] = useState(ws.location ?? '')
  const [serverType, setServerType] = useState(ws.serverType ?? '')

  useLoadWhenIdle(catalog.status, loadCatalog, destination === 'new')
  useEffect(() => {
    if (!catalog.data) return
    if (!location) setLocation(catalog.data.locations[0]?.name ?? '')
  }, [catalog.data, location])
  const types = useMemo(
    () => (catalog.data ? serverTypesFor(catalog.data, location, false).rows : []),
    [catalog.data, location],
  )
  useEffect(() => {
    if (types.length > 0 && !types.some((t) => t.type.name === serverType))
      setServerType(types[0]!.type.name)
  }, [types, serverType])
  const price = types.find((t) => t.type.name === serverType)?.price ?? null

  const what = describeSelection(selection.path, selection.type)
  const include = selection.path ? [selection.path] : []

  const review = async (e: FormEvent) => {
    e.preventDefault()
    if (busy) return
    setError(null)
    const problems: Record<string, string> = {}
    if (destination === 'folder') {
      const problem = folderPathProblem(folder)
      if (problem) problems.folder = problem
    } else if (destination === 'new') {
      const parsed = workspaceNameSchema.safeParse(name)
      if (!parsed.success) problems.name = parsed.error.issues[0]?.message ?? 'Check the name.'
      if (!location) problems.location = 'Choose a location.'
      if (!serverType) problems.serverType = 'Choose a server type.'
    } else if (blocker) {
      problems.destination = blocker
    }
    setFieldErrors(problems)
    if (Object.keys(problems).length > 0) return
    if (destination === 'workspace') {
      setPreflight(await workspacePreflight())
    }
    if (destination === 'folder') {
      setBusy(true)
      try {
        const result = await getApi()['restore.preflight']({
          workspaceId: ws.id,
          restorePoint: point.id,
          target: { kind: 'local', path: folder.trim() },
          include,
        })
        setPreflight(result)
        setOverwrite(false)
        if (result.targetState === 'not-a-directory') {
          setFieldErrors({ folder: `${folder.trim()} is a file, not a folder. Choose a folder.` })
          return
        }
      } catch (err) {
        setError(toUiError(err))
        return
      } finally {
        setBusy(false)
      }
    }
    setStep('confirm')
  }

  /**
   * What the restore would replace in the workspace, asked over SSH (one kept path only: with
   * several, each path of the restore point goes to its own folder). null when it cannot tell.
   */
  const workspacePreflight = async (): Promise<PreflightOutput | null> => {
    const [path] = ws.paths
    if (!ws.ssh || ws.paths.length !== 1 || !path) return null
    setBusy(true)
    try {
      return await getApi()['restore.preflight']({
        workspaceId: ws.id,
        restorePoint: point.id,
        target: {
          kind: 'ssh',
          host: ws.ssh.host,
          port: ws.ssh.port,
          user: ws.ssh.user,
          hostKey: ws.ssh.hostKey,
          keyId: ws.ssh.keyId,
          path,
        },
        include,
      })
    } catch {
      return null
    } finally {
      setBusy(false)
    }
  }

  const confirm = async () => {
    if (busy) return
    setBusy(true)
    setError(null)
    try {
      const api = getApi()
      if (destination === 'workspace') {
        const job = await api['workspaces.restore']({
          id: ws.id,
          restorePoint: point.id,
          include,
          overwrite: true,
        })
        onStarted({
          destination,
          job,
          where: `${ws.name}: ${workspaceDestination(ws, selection.path)}`,
        })
      } else if (destination === 'new') {
        const job = await api['workspaces.create']({
          name: name.trim(),
          location,
          serverType,
          ...(ws.image ? { image: ws.image } : {}),
          paths: ws.paths,
          excludes: ws.excludes,
          includes: ws.includes,
          includeCredentials: ws.includeCredentials,
          idleTimeoutMinutes: ws.idleTimeoutMinutes ?? 30,
          from: { workspaceId: ws.id, restorePoint: point.id },
        })
        onStarted({ destination, job, where: `the new workspace ${name.trim()}` })
      } else {
        const job = await api['restore.start']({
          workspaceId: ws.id,
          restorePoint: point.id,
          target: { kind: 'local', path: folder.trim() },
          include,
          overwrite: preflight?.targetState === 'non-empty',
        })
        onStarted({ destination, job, where: folderDestination(folder.trim(), selection.path) })
      }
    } catch (err) {
      setError(toUiError(err))
      setBusy(false)
    }
  }

  const needsOverwrite = destination === 'folder' && preflight?.targetState === 'non-empty'
  const canConfirm = !busy && (!needsOverwrite || overwrite)

  return (
    <Dialog
      className="rp-dialog"
      titleId={`${id}-title`}
      testId="restore-dialog"
      step={step}
      busy={busy}
      onClose={onClose}
    >
      {step === 'choose' ? (
        <form method="dialog" noValidate onSubmit={(e) => void review(e)}>
          <h2 className="dialog-title" id={`${id}-title`}>
            Restore {what}
          </h2>
          <p className="dialog-text">
            From the restore point of {formatDateTime(point.time)} ({point.id.slice(0, 8)}).
          </p>
          <fieldset className="rp-choices">
            <legend className="field-label">Restore into</legend>
            <DestinationChoice
              value="workspace"
              chosen={destination}
              disabled={blocker !== null || busy}
              unavailable={blocker !== null}
              title={`The workspace ${ws.name}`}
              hint={blocker ?? 'Replaces its files at the restored paths, after a safety backup.'}
              onChoose={setDestination}
            />
            <DestinationChoice
              value="new"
              chosen={destination}
              disabled={busy}
              title="A new workspace"
              hint={`A new server that starts from the whole restore point; ${ws.name} stays as it is.`}
              onChoose={setDestination}
            />
            <DestinationChoice
              value="folder"
              chosen={destination}
              disabled={busy}
              title="A folder on this computer"
              hint="Writes the files into a folder of the machine Cairn runs on."
              onChoose={setDestination}
            />
          </fieldset>
          {fieldErrors.destination ? (
            <p className="field-error">{fieldErrors.destination}</p>
          ) : null}

          {destination === 'folder' ? (
            <Field
              label="Folder path"
              hint="A full path. It is created if it does not exist."
              error={fieldErrors.folder}
            >
              {(props) => (
                <input
                  {...props}
                  className="input"
                  name="folder"
                  value={folder}
                  placeholder="/home/me/restored"
                  autoComplete="off"
                  spellCheck={false}
                  disabled={busy}
                  onChange={(e) => setFolder(e.target.value)}
                />
              )}
            </Field>
          ) : null}

          {destination === 'new' ? (
            <div className="rp-new">
              <Field label="Name" error={fieldErrors.name}>
                {(props) => (
                  <input
                    {...props}
                    className="input"
                    name="name"
                    value={name}
                    autoComplete="off"
                    spellCheck={false}
                    disabled={busy}
                    onChange={(e) => setName(e.target.value)}
                  />
                )}
              </Field>
              {catalog.status === 'error' && catalog.error ? (
                <ErrorPanel
                  error={catalog.error}
                  title="Locations and prices could not be loaded"
                  onRetry={() => void loadCatalog()}
                />
              ) : !catalog.data ? (
                <p className="dialog-text">Loading locations and prices…</p>
              ) : (
                <div className="rp-new-row">
                  <Field label="Location" error={fieldErrors.location}>
                    {(props) => (
                      <select
                        {...props}
                        className="input"
                        name="location"
                        value={location}
                        disabled={busy}
                        onChange={(e) => setLocation(e.target.value)}
                      >
                        {catalog.data!.locations.map((l) => (
                          <option key={l.name} value={l.name}>
                            {l.city} ({l.name})
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                  <Field label="Server type" error={fieldErrors.serverType}>
                    {(props) => (
                      <select
                        {...props}
                        className="input"
                        name="serverType"
                        value={serverType}
                        disabled={busy}
                        onChange={(e) => setServerType(e.target.value)}
                      >
                        {types.map(({ type, price }) => (
                          <option key={type.name} value={type.name}>
                            {type.name.toUpperCase()} · {type.cores} vCPU, {type.memoryGb} GB ·{' '}
                            {formatHourly(price.hourlyGross)}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                </div>
              )}
            </div>
          ) : null}

          {error ? <ErrorPanel error={error} title="Cairn could not check this restore" /> : null}
          <div className="dialog-actions">
            <Button variant="ghost" disabled={busy} onClick={onClose}>
              Cancel
            </Button>
            <Button variant="primary" type="submit" busy={busy}>
              Review
            </Button>
          </div>
        </form>
      ) : (
        <div className="rp-confirm" data-testid="restore-confirm">
          <h2 className="dialog-title" id={`${id}-title`}>
            {destination === 'workspace'
              ? `Restore into ${ws.name}?`
              : destination === 'new'
                ? `Create ${name.trim()} from this restore point?`
                : 'Restore into the folder?'}
          </h2>
          <ul className="rp-facts" data-testid="restore-confirm-facts">
            {destination === 'workspace' ? (
              <>
                <li>
                  First Cairn backs up {ws.name} as it is now (a safety restore point, marked
                  “before restore”), so you can go back.
                </li>
                <li>
                  Then {what} from {formatDateTime(point.time)} is written to{' '}
                  <code>{workspaceDestination(ws, selection.path)}</code> on {ws.name}.
                </li>
                <li>
                  {preflight
                    ? preflight.conflicts.length === 0
                      ? 'Nothing in the workspace is replaced: the restored files are added.'
                      : `${preflight.conflicts.length} ${preflight.conflicts.length === 1 ? 'file is' : 'files are'} replaced by the restore point’s version (listed below).`
                    : 'Files at the same paths are replaced by the restore point’s version.'}{' '}
                  Files only the workspace has are kept.
                </li>
              </>
            ) : destination === 'new' ? (
              <>
                <li>
                  A new workspace <strong>{name.trim()}</strong> gets a server{' '}
                  {serverType.toUpperCase()} in {location}
                  {price
                    ? `: ${formatHourly(price.hourlyGross)} while it runs (at most ${formatMonthly(price.monthlyGross)})`
                    : ''}
                  .
                </li>
                <li>
                  It starts from the whole restore point of {formatDateTime(point.time)} (
                  {formatBytes(point.size)}, {point.files.toLocaleString('en-GB')} files)
                  {selection.path ? `, not only ${selection.path}` : ''}.
                </li>
                <li>
                  {ws.name} and its restore points are not changed. The new workspace keeps the same
                  paths and backup rules
                  {ws.idleTimeoutMinutes
                    ? ` and stops after ${ws.idleTimeoutMinutes} idle minutes`
                    : ''}
                  .
                </li>
              </>
            ) : (
              <>
                <li>
                  {what[0]?.toUpperCase()}
                  {what.slice(1)} from {formatDateTime(point.time)} is written to{' '}
                  <code>{folderDestination(folder.trim(), selection.path)}</code>.
                </li>
                <li>
                  {preflight?.targetState === 'missing'
                    ? `${folder.trim()} does not exist yet: Cairn creates it.`
                    : preflight?.targetState === 'empty'
                      ? `${folder.trim()} is empty: nothing is replaced.`
                      : preflight && preflight.conflicts.length > 0
                        ? `${folder.trim()} is not empty: ${preflight.conflicts.length} existing ${preflight.conflicts.length === 1 ? 'entry is' : 'entries are'} replaced.`
                        : `${folder.trim()} is not empty, but nothing in it is replaced: the restored files are added.`}
                </li>
                {preflight && preflight.blockedBySymlink.length > 0 ? (
                  <li>
                    {preflight.blockedBySymlink.length} path(s) are skipped: a folder on the way is
                    a symlink.
                  </li>
                ) : null}
              </>
            )}
          </ul>
          {destination !== 'new' && preflight && preflight.conflicts.length > 0 ? (
            <div className="rp-conflicts" data-testid="restore-conflicts">
              <p className="field-label">Replaced</p>
              <ul>
                {preflight.conflicts.slice(0, CONFLICTS_SHOWN).map((c) => (
                  <li key={c.path}>
                    <code>{c.path}</code>
                  </li>
                ))}
              </ul>
              {preflight.conflicts.length > CONFLICTS_SHOWN ? (
                <p className="dialog-text">
                  and {preflight.conflicts.length - CONFLICTS_SHOWN} more
                </p>
              ) : null}
            </div>
          ) : null}
          {needsOverwrite ? (
            <label className="rp-overwrite">
              <input
                type="checkbox"
                name="overwrite"
                checked={overwrite}
                disabled={busy}
                onChange={(e) => setOverwrite(e.target.checked)}
              />
              {preflight && preflight.conflicts.length > 0
                ? 'Replace the files listed above'
                : `Write into ${folder.trim()}, although it is not empty`}
            </label>
          ) : null}
          {error ? <ErrorPanel error={error} title="The restore could not start" /> : null}
          <div className="dialog-actions">
            <Button variant="ghost" disabled={busy} onClick={() => setStep('choose')}>
              Back
            </Button>
            <Button
              variant={destination === 'workspace' ? 'danger' : 'primary'}
              busy={busy}
              disabled={!canConfirm}
              onClick={() => void confirm()}
            >
              {destination === 'workspace'
                ? `Back up, then restore into ${ws.name}`
                : destination === 'new'
                  ? `Create ${name.trim()}`
                  : 'Restore'}
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  )
}
