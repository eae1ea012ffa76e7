import type { RestorePoint } from '../../../../../shared/domain/backup'
import type { WorkspaceView } from '../../../../../shared/domain/workspace'

export interface RestorePointPanelProps {
  workspace: WorkspaceView
  restorePoint: RestorePoint
  onClose(): void
}

/** One restore point opened from the timeline: browse its files, download, restore. */
export function RestorePointPanel({ restorePoint }: RestorePointPanelProps) {
  return <p>Restore point {restorePoint.id}</p>
}
