import { ErrorPanel } from '../../components/ErrorPanel'
import { Skeleton } from '../../components/Skeleton'
import { formatDateTime } from '../../lib/format'
import { useRetention } from '../../state/retention'

const SHOWN = 60

/** The dry run's decisions: what would be removed first, each with its reasons. */
export function RetentionPreview({ workspaceId }: { workspaceId: string }) {
  const preview = useRetention((s) => s.previews[workspaceId])
  if (!preview) return null
  if (preview.status === 'loading')
    return <Skeleton label="Asking the repository what this policy would remove" lines={3} />
  if (preview.status === 'error' && preview.error)
    return (
      <ErrorPanel
        error={preview.error}
        title="The preview failed"
        testId="retention-preview-error"
      />
    )
  const result = preview.data
  if (!result) return null
  const ordered = [...result.decisions].sort((a, b) => Number(a.keep) - Number(b.keep))
  return (
    <div className="retention-preview" data-testid="retention-preview" role="status">
      <p className="subheading">
        {result.decisions.length === 0
          ? 'This workspace has no restore points yet: nothing would be removed.'
          : result.removed === 0
            ? `Nothing would be removed: all ${result.kept} restore points are kept.`
            : `${result.removed} of ${result.decisions.length} restore points would be removed; ${result.kept} kept.`}
      </p>
      {ordered.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Restore point</th>
                <th scope="col">Made by</th>
                <th scope="col">Outcome</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {ordered.slice(0, SHOWN).map((d) => (
                <tr key={d.restorePointId} data-keep={d.keep} className={d.keep ? 'row-muted' : ''}>
                  <td>{formatDateTime(d.time)}</td>
                  <td>{d.trigger}</td>
                  <td>
                    <span className={`badge ${d.keep ? 'badge-succeeded' : 'badge-failed'}`}>
                      {d.keep ? 'Kept' : 'Removed'}
                    </span>
                  </td>
                  <td className="retention-reasons">{d.reasons.join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {ordered.length > SHOWN ? (
        <p className="footnote">
          And {ordered.length - SHOWN} more (removed ones are listed first).
        </p>
      ) : null}
      <p className="footnote">Nothing was changed: this was a dry run. {result.note}</p>
    </div>
  )
}
