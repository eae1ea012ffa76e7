import { useVirtualizer } from '@tanstack/react-virtual'
import { useRef } from 'react'
import type { BrowseEntry } from '../../../../../shared/domain/backup'
import { Button } from '../../../components/Button'
import { formatBytes } from '../../../lib/format'
import { formatMtime, modeString } from './entry-format'

const ROW_HEIGHT = 38

function TypeMark({ entry }: { entry: BrowseEntry }) {
  const label = entry.type === 'dir' ? 'Folder' : entry.type === 'file' ? 'File' : entry.type
  return (
    <span className={`rp-type rp-type-${entry.type}`} title={label} aria-hidden="true">
      {entry.type === 'dir' ? '▸' : entry.type === 'symlink' ? '↪' : '·'}
    </span>
  )
}

/**
 * The entries of one folder, folders first. Only the rows in view are rendered (folders with tens
 * of thousands of entries stay smooth). Folders open by their name; files and folders can be
 * downloaded or restored from their row.
 */
export function FileList({
  entries,
  onOpen,
  onDownload,
  onRestore,
}: {
  entries: BrowseEntry[]
  onOpen(entry: BrowseEntry): void
  onDownload(entry: BrowseEntry): void
  onRestore(entry: BrowseEntry): void
}) {
  const scroller = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  })
  return (
    <div className="rp-list" role="table" aria-label="Files" aria-rowcount={entries.length + 1}>
      <div className="rp-row rp-row-head" role="row">
        <span role="columnheader" className="rp-col-name">
          Name
        </span>
        <span role="columnheader" className="rp-col-size">
          Size
        </span>
        <span role="columnheader" className="rp-col-mode">
          Mode
        </span>
        <span role="columnheader" className="rp-col-mtime">
          Modified
        </span>
        <span role="columnheader" className="rp-col-actions">
          <span className="visually-hidden">Actions</span>
        </span>
      </div>
      <div className="rp-scroll" ref={scroller} data-testid="restore-files">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }} role="rowgroup">
          {virtualizer.getVirtualItems().map((item) => {
            const entry = entries[item.index]!
            const movable = entry.type === 'file' || entry.type === 'dir'
            return (
              <div
                key={entry.name}
                className="rp-row"
                role="row"
                aria-rowindex={item.index + 2}
                data-testid="restore-entry"
                data-name={entry.name}
                data-type={entry.type}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                <span role="cell" className="rp-col-name">
                  <TypeMark entry={entry} />
                  {entry.type === 'dir' ? (
                    <button
                      type="button"
                      className="rp-open"
                      onClick={() => onOpen(entry)}
                      aria-label={`Open folder ${entry.name}`}
                    >
                      {entry.name}
                    </button>
                  ) : (
                    <span className="rp-name" title={entry.name}>
                      {entry.name}
                      {entry.target !== null ? (
                        <span className="rp-target"> → {entry.target}</span>
                      ) : null}
                    </span>
                  )}
                  {entry.changedWhileReading ? (
                    <span className="rp-torn" title="It changed while it was backed up">
                      changed while read
                    </span>
                  ) : null}
                </span>
                <span role="cell" className="rp-col-size">
                  {entry.type === 'file' ? formatBytes(entry.size) : ''}
                </span>
                <span role="cell" className="rp-col-mode">
                  <code>{modeString(entry.type, entry.mode)}</code>
                </span>
                <span role="cell" className="rp-col-mtime">
                  {formatMtime(entry.mtime)}
                </span>
                <span role="cell" className="rp-col-actions">
                  {movable ? (
                    <>
                      <Button
                        small
                        variant="ghost"
                        aria-label={`Download ${entry.name}`}
                        onClick={() => onDownload(entry)}
                      >
                        Download
                      </Button>
                      <Button
                        small
                        variant="ghost"
                        aria-label={`Restore ${entry.name}`}
                        onClick={() => onRestore(entry)}
                      >
                        Restore…
                      </Button>
                    </>
                  ) : null}
                </span>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}
