import type { RestorePoint } from '../../../../shared/domain/backup'
import { Callout } from '../../components/Callout'
import { EmptyState } from '../../components/EmptyState'
import { ErrorPanel } from '../../components/ErrorPanel'
import { Skeleton } from '../../components/Skeleton'
import { DatabaseIcon } from '../../components/icons'
import { Message } from '../../components/Message'
import type { WorkspaceRestorePoints } from '../../state/restore-points'
import { PIN_HINT, RestorePointTimeline } from './RestorePointTimeline'
import { StorageChart } from './StorageChart'
import { plural, shortId } from './restore-point-format'

/** Restore points that exist but could not be read: named, never dropped in silence. */
function Damaged({ damaged }: { damaged: WorkspaceRestorePoints['damaged'] }) {
  if (damaged.length === 0) return null
  return (
    <Callout
      tone="warning"
      title={`${plural(damaged.length, 'restore point')} could not be read`}
      testId="damaged-restore-points"
    >
      <ul className="wd-damaged">
        {damaged.slice(0, 20).map((d) => (
          <li key={d.id}>
            <span className="mono">{shortId(d.id)}</span>: <Message text={d.message} />
          </li>
        ))}
      </ul>
      {damaged.length > 20 ? <p>…and {damaged.length - 20} more.</p> : null}
      <p>
        The others are not affected. A repository check (Settings) says what is damaged and what can
        be repaired.
      </p>
    </Callout>
  )
}

/** The chart of storage over time and the timeline, with their loading, empty and error states. */
export function RestorePointsSection({
  state,
  canBackUp,
  onRetry,
  onOpen,
  onStartFrom,
  onTogglePin,
}: {
  state: WorkspaceRestorePoints
  canBackUp: boolean
  onRetry(): void
  onOpen(point: RestorePoint): void
  onStartFrom: ((point: RestorePoint) => void) | null
  /** Pins (`pin` true) or unpins a restore point. */
  onTogglePin(point: RestorePoint, pin: boolean): void
}) {
  const { status, points, damaged, pinned, pinning, pinError, error } = state
  const latestId = points[points.length - 1]?.id ?? null
  let body: React.ReactNode
  if (status === 'error' && error) {
    body = (
      <ErrorPanel
        error={error}
        title="The restore points could not be listed"
        onRetry={onRetry}
        testId="restore-points-error"
      />
    )
  } else if (status !== 'ready') {
    body = <Skeleton lines={4} label="Loading restore points" />
  } else if (points.length === 0) {
    body = (
      <EmptyState icon={<DatabaseIcon size={22} />} title="No restore points yet">
        <p data-testid="restore-points-empty">
          {canBackUp
            ? 'Back up now keeps a first copy of this workspace’s files. Cairn also backs it up on its schedule and before every stop.'
            : 'Cairn keeps a restore point on every backup and before every stop.'}
        </p>
      </EmptyState>
    )
  } else {
    body = (
      <>
        <StorageChart points={points} />
        <RestorePointTimeline
          points={points}
          pinned={pinned}
          pinning={pinning}
          latestId={latestId}
          onTogglePin={onTogglePin}
          onOpen={onOpen}
          onStartFrom={onStartFrom}
        />
      </>
    )
  }
  return (
    <section
      className="card wd-points"
      aria-labelledby="wd-points-title"
      data-testid="restore-points"
      data-status={status}
    >
      <div className="wd-summary-head">
        <h2 className="wd-section-title" id="wd-points-title">
          Restore points
        </h2>
        {status === 'ready' && points.length > 0 ? (
          <span className="wd-points-count" title={PIN_HINT} data-testid="restore-points-count">
            {plural(points.length, 'restore point')}
            {pinned.size > 0 ? ` · ${pinned.size} pinned, kept by retention` : ''}
          </span>
        ) : null}
      </div>
      <Damaged damaged={damaged} />
      {pinError ? (
        <Callout tone="error" title="The pin could not be changed" testId="pin-error">
          <Message text={pinError.message} />
        </Callout>
      ) : null}
      {body}
    </section>
  )
}
