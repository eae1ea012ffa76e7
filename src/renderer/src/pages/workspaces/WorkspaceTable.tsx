import { useWindowVirtualizer } from '@tanstack/react-virtual'
import type { Job } from '../../../../shared/domain/jobs'
import type { WorkspaceView } from '../../../../shared/domain/workspace'
import { rowHealth, rowStateOf } from '../../lib/workspace-row'
import { useScrollMargin } from '../../lib/use-scroll-margin'
import { useClock } from '../../state/clock'
import { useWorkspaceSchedules } from '../../state/workspace-schedules'
import { WorkspaceRow } from './WorkspaceRow'

/** A row without a job, problem or note under it; rows measure themselves once drawn. */
const ROW_ESTIMATE = 58

/**
 * The workspaces as a virtualised table: only the rows in (and near) the viewport are in the DOM,
 * so hundreds stay smooth. The document scrolls (the shell's design), so the window is the
 * scroll element and the list's offset in the page is the scroll margin.
 */
export function WorkspaceTable({
  workspaces,
  jobsByWorkspace,
  hideJobId,
}: {
  workspaces: readonly WorkspaceView[]
  jobsByWorkspace: ReadonlyMap<string, Job[]>
  hideJobId: string | null
}) {
  const { listRef, margin } = useScrollMargin()
  const now = useClock((s) => s.now)
  const schedules = useWorkspaceSchedules((s) => s.byWorkspace)
  const virtualizer = useWindowVirtualizer({
    count: workspaces.length,
    estimateSize: () => ROW_ESTIMATE,
    overscan: 6,
    scrollMargin: margin,
    getItemKey: (index) => workspaces[index]?.id ?? index,
  })
  const items = virtualizer.getVirtualItems()
  return (
    <div className="ws-table card" data-testid="workspace-table">
      <div className="ws-row-main ws-table-head" aria-hidden="true">
        <div className="ws-col-name">Workspace</div>
        <div className="ws-col-state">State</div>
        <div className="ws-col-cost">Cost</div>
        <div className="ws-col-backup">Backup</div>
        <div className="ws-col-storage">Storage</div>
        <div className="ws-col-actions" />
      </div>
      <div
        ref={listRef}
        className="ws-table-body"
        role="list"
        aria-label="Workspaces"
        aria-rowcount={workspaces.length}
        style={{ height: virtualizer.getTotalSize() }}
      >
        {items.map((item) => {
          const ws = workspaces[item.index]
          if (!ws) return null
          const jobs = jobsByWorkspace.get(ws.id) ?? []
          return (
            <div
              key={item.key}
              role="listitem"
              data-index={item.index}
              ref={virtualizer.measureElement}
              className="ws-table-item"
              style={{
                transform: `translateY(${item.start - virtualizer.options.scrollMargin}px)`,
              }}
            >
              <WorkspaceRow
                ws={ws}
                jobs={jobs}
                hideJobId={hideJobId}
                rowState={rowStateOf(ws, jobs)}
                health={rowHealth(ws, jobs, schedules[ws.id], now)}
              />
            </div>
          )
        })}
      </div>
    </div>
  )
}
