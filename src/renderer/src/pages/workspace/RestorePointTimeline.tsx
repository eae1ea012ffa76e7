import { useVirtualizer } from '@tanstack/react-virtual'
import { useRef } from 'react'
import type { RestorePoint } from '../../../../shared/domain/backup'
import { Button } from '../../components/Button'
import { formatBytes, formatDateTime } from '../../lib/format'
import { formatAge } from '../../lib/workspace-format'
import { useClock } from '../../state/clock'
import { plural, shortId, triggerLabels } from './restore-point-format'

const ROW_HEIGHT = 52
/** Said wherever pins are offered or shown: what a pin is for. */
export const PIN_HINT = 'Pinned restore points are kept by retention, whatever its rules say.'
const MAX_HEIGHT = 440

/**
 * The restore points, newest first, as a virtualised list: only the rows in view are in the DOM,
 * so thousands of points scroll as smoothly as ten. The scroller carries
 * data-testid="restore-point-timeline" (the benchmark scrolls it).
 */
export function RestorePointTimeline({
  points,
  pinned,
  pinning,
  latestId,
  onOpen,
  onStartFrom,
  onTogglePin,
}: {
  /** Oldest first, as listed. */
  points: RestorePoint[]
  pinned: ReadonlySet<string>
  /** Restore points whose pin or unpin is in flight (their button is busy). */
  pinning: ReadonlySet<string>
  latestId: string | null
  onTogglePin(point: RestorePoint, pin: boolean): void
  onOpen(point: RestorePoint): void
  /** Offered when the workspace can be started; null hides it. */
  onStartFrom: ((point: RestorePoint) => void) | null
}) {
  const scroller = useRef<HTMLDivElement>(null)
  const now = useClock((s) => s.now)
  const count = points.length
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  })
  // Newest first: row i shows points[count - 1 - i].
  const at = (index: number) => points[count - 1 - index]
  return (
    <div className="wd-timeline">
      <div className="wd-timeline-head" aria-hidden="true">
        <span>When</span>
        <span>Made by</span>
        <span className="wd-num">Size</span>
        <span className="wd-num">Added</span>
        <span className="wd-num">Files</span>
        <span />
      </div>
      <div
        ref={scroller}
        className="wd-timeline-scroller"
        data-testid="restore-point-timeline"
        style={{ height: Math.min(MAX_HEIGHT, count * ROW_HEIGHT) }}
        tabIndex={0}
        role="region"
        aria-label={`Restore points, newest first (${plural(count, 'restore point')})`}
      >
        <ol
          className="wd-timeline-list"
          style={{ height: virtualizer.getTotalSize() }}
          aria-label="Restore points"
        >
          {virtualizer.getVirtualItems().map((row) => {
            const point = at(row.index)
            if (!point) return null
            const isPinned = pinned.has(point.id)
            return (
              <li
                key={point.id}
                className="wd-point"
                data-testid="restore-point"
                data-id={point.id}
                data-trigger={point.trigger}
                aria-setsize={count}
                aria-posinset={row.index + 1}
                style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
              >
                <span className="wd-point-when">
                  <span className="wd-point-dot" aria-hidden="true" />
                  <span className="wd-point-time">
                    <span className="wd-point-date" title={`Restore point ${shortId(point.id)}`}>
                      {formatDateTime(point.time)}
                    </span>
                    <span className="wd-point-age">
                      {formatAge(point.time, now)}
                      {point.id === latestId ? ' · latest' : ''}
                    </span>
                  </span>
                </span>
                <span className="wd-point-trigger">
                  <span className={`wd-trigger wd-trigger-${point.trigger}`}>
                    {triggerLabels[point.trigger]}
                  </span>
                  {isPinned ? (
                    <span className="wd-pin" data-testid="restore-point-pinned" title={PIN_HINT}>
                      Pinned
                    </span>
                  ) : null}
                </span>
                <span className="wd-num">{formatBytes(point.size)}</span>
                <span className="wd-num" title={`${formatBytes(point.uploadedBytes)} uploaded`}>
                  +{formatBytes(point.addedBytes)}
                </span>
                <span className="wd-num">{point.files.toLocaleString('en-GB')}</span>
                <span className="wd-point-actions">
                  {onStartFrom ? (
                    <Button
                      small
                      variant="ghost"
                      aria-label={`Start from the restore point of ${formatDateTime(point.time)}`}
                      onClick={() => onStartFrom(point)}
                    >
                      {/* One flex item: the button's gap would otherwise split the words. */}
                      <span>
                        Start<span className="wd-wide-only"> from here</span>
                      </span>
                    </Button>
                  ) : null}
                  <Button
                    small
                    variant="ghost"
                    data-testid="restore-point-pin"
                    aria-label={`${isPinned ? 'Unpin' : 'Pin'} the restore point of ${formatDateTime(point.time)}`}
                    title={
                      isPinned ? `Unpin: retention may forget it again. ${PIN_HINT}` : PIN_HINT
                    }
                    busy={pinning.has(point.id)}
                    onClick={() => onTogglePin(point, !isPinned)}
                  >
                    {isPinned ? 'Unpin' : 'Pin'}
                  </Button>
                  <Button
                    small
                    variant="ghost"
                    aria-label={`Open the restore point of ${formatDateTime(point.time)}`}
                    onClick={() => onOpen(point)}
                  >
                    Open
                  </Button>
                </span>
              </li>
            )
          })}
        </ol>
      </div>
    </div>
  )
}
