import { useState, type FormEvent } from 'react'
import type { WorkspaceList } from '../../../../shared/domain/workspace'
import { workspaceNameSchema } from '../../../../shared/domain/workspace'
import { Button } from '../../components/Button'
import { Message } from '../../components/Message'
import { formatDateTime } from '../../lib/format'
import { discoveredKey, useWorkspaces } from '../../state/workspaces'

type Found = WorkspaceList['discovered'][number]

function FoundRow({ found }: { found: Found }) {
  const key = discoveredKey(found.workspaceId)
  const suggested =
    found.name && workspaceNameSchema.safeParse(found.name).success ? found.name : ''
  const [name, setName] = useState(suggested)
  const [problem, setProblem] = useState<string | null>(null)
  const note = useWorkspaces((s) => s.notes[key])
  const importDiscovered = useWorkspaces((s) => s.importDiscovered)
  const busy = note?.kind === 'busy'
  const error = note?.kind === 'error' ? note.error : null
  const inputId = `found-${found.workspaceId}`
  return (
    <li className="ws-orphan" data-testid="discovered" data-workspace-id={found.workspaceId}>
      <form
        className="ws-orphan-main"
        noValidate
        onSubmit={(e: FormEvent) => {
          e.preventDefault()
          const parsed = workspaceNameSchema.safeParse(name)
          if (!parsed.success) {
            setProblem(parsed.error.issues[0]?.message ?? 'not a valid name')
            return
          }
          setProblem(null)
          void importDiscovered(found.workspaceId, parsed.data)
        }}
      >
        <span className="mono ws-orphan-name">{found.name ?? found.workspaceId}</span>
        <span className="muted">
          {found.restorePointCount} restore point{found.restorePointCount === 1 ? '' : 's'}
          {found.latest ? `, latest ${formatDateTime(found.latest)}` : ''}
        </span>
        <label className="visually-hidden" htmlFor={inputId}>
          Name for {found.name ?? found.workspaceId}
        </label>
        <input
          id={inputId}
          className="input input-mono ws-found-name ws-delete"
          value={name}
          placeholder="name"
          disabled={busy}
          aria-invalid={Boolean(problem)}
          onChange={(e) => setName(e.target.value)}
        />
        <Button type="submit" small busy={busy}>
          Add as stopped
        </Button>
      </form>
      {problem || error ? (
        <p className="field-error">
          <Message text={problem ?? error?.message ?? ''} />
        </p>
      ) : null}
    </li>
  )
}

/** Workspaces in the repository this computer does not list (made on another computer). */
export function Discovered({ found }: { found: Found[] }) {
  if (found.length === 0) return null
  return (
    <section className="ws-orphans" aria-labelledby="found-heading" data-testid="discovered-list">
      <h2 className="ws-section-title" id="found-heading">
        Found in your storage
      </h2>
      <p className="muted">
        Restore points of workspaces this computer does not list, for example ones made on another
        computer with the same recovery key. Add one to start it here.
      </p>
      <ul className="card ws-orphan-list">
        {found.map((f) => (
          <FoundRow key={f.workspaceId} found={f} />
        ))}
      </ul>
    </section>
  )
}
