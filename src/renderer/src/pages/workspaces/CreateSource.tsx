import { useEffect } from 'react'
import { Field } from '../../components/Field'
import { formatBytes, formatDateTime } from '../../lib/format'
import { useWorkspaceCreate } from '../../state/workspace-create'
import { useWorkspaces } from '../../state/workspaces'

/**
 * Start empty, or from a restore point of any workspace (its own or another's: a fork). The
 * restore points of the chosen workspace are listed newest first, with 'Latest' on top.
 */
export function CreateSource() {
  const draft = useWorkspaceCreate((s) => s.draft)
  const errors = useWorkspaceCreate((s) => s.fieldErrors)
  const busy = useWorkspaceCreate((s) => s.submitting)
  const points = useWorkspaceCreate((s) => s.sourcePoints)
  const { update, loadSourcePoints } = useWorkspaceCreate.getState()
  const workspaces = useWorkspaces((s) => s.list?.workspaces ?? [])
  const fromId = draft.source === 'restorePoint' ? draft.fromWorkspaceId : ''

  useEffect(() => {
    if (fromId) void loadSourcePoints(fromId)
  }, [fromId, loadSourcePoints])

  const withPoints = workspaces.filter((w) => w.lastBackup !== null || w.restorePointCount)
  const list = points.status === 'ready' && points.workspaceId === fromId ? points.points : null
  return (
    <fieldset className="span-2 ws-source" disabled={busy}>
      <legend className="field-label">Start with</legend>
      <div className="ws-source-choices">
        <label className="checkbox">
          <input
            type="radio"
            name="source"
            value="empty"
            checked={draft.source === 'empty'}
            onChange={() => update({ source: 'empty' })}
          />
          An empty workspace
        </label>
        <label className="checkbox">
          <input
            type="radio"
            name="source"
            value="restorePoint"
            checked={draft.source === 'restorePoint'}
            disabled={withPoints.length === 0}
            onChange={() =>
              update({
                source: 'restorePoint',
                fromWorkspaceId: draft.fromWorkspaceId || (withPoints[0]?.id ?? ''),
                fromRestorePoint: 'latest',
              })
            }
          />
          The files of a restore point{withPoints.length === 0 ? ' (none yet)' : ''}
        </label>
      </div>
      {draft.source === 'restorePoint' ? (
        <div className="form-grid ws-source-pick">
          <Field label="From workspace" error={errors.from}>
            {(props) => (
              <select
                {...props}
                className="input"
                name="fromWorkspace"
                value={draft.fromWorkspaceId}
                onChange={(e) =>
                  update({ fromWorkspaceId: e.target.value, fromRestorePoint: 'latest' })
                }
              >
                {draft.fromWorkspaceId ? null : <option value="">Choose a workspace</option>}
                {withPoints.map((w) => (
                  <option key={w.id} value={w.id}>
                    {w.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Restore point"
            hint={
              points.status === 'error'
                ? `Could not list its restore points: ${points.error.message}`
                : points.status === 'loading'
                  ? 'Listing restore points…'
                  : 'The new workspace gets these files; the source is not changed (a fork).'
            }
          >
            {(props) => (
              <select
                {...props}
                className="input"
                name="fromRestorePoint"
                value={draft.fromRestorePoint}
                onChange={(e) => update({ fromRestorePoint: e.target.value })}
              >
                <option value="latest">Latest</option>
                {(list ?? []).map((p) => (
                  <option key={p.id} value={p.id}>
                    {formatDateTime(p.time)} · {p.trigger} · {formatBytes(p.size)} ·{' '}
                    {p.id.slice(0, 8)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
      ) : null}
    </fieldset>
  )
}
