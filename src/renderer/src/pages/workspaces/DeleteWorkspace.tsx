import type { WorkspaceView } from '../../../../shared/domain/workspace'
import { useWorkspaces } from '../../state/workspaces'
import { ConfirmDelete } from './ConfirmDelete'

/**
 * Delete a workspace after its name is typed, saying what goes (server, restore points, key):
 * from the list's row and the detail page alike. It closes once the delete job is queued.
 */
export function DeleteWorkspace({
  ws,
  pointCount,
  onClose,
}: {
  ws: WorkspaceView
  /** Restore points counted by the page, when it knows better than the workspace view. */
  pointCount?: number | null
  onClose(): void
}) {
  const note = useWorkspaces((s) => s.notes[ws.id])
  const deleteError = note?.kind === 'error' && note.action === 'delete' ? note.error : null
  const count = pointCount ?? ws.restorePointCount
  return (
    <ConfirmDelete
      title={`Delete ${ws.name}?`}
      name={ws.name}
      confirmLabel="Delete workspace"
      busy={note?.kind === 'busy' && note.action === 'delete'}
      error={deleteError}
      onClose={() => {
        onClose()
        if (deleteError) useWorkspaces.getState().dismiss(ws.id)
      }}
      onConfirm={(typed) => {
        void useWorkspaces
          .getState()
          .remove(ws.id, typed)
          .then((job) => {
            if (job) onClose()
          })
      }}
    >
      {ws.provider === 'hetzner' ? (
        <p>
          {ws.server !== null
            ? 'Cairn deletes the server in Hetzner (without a last backup), then '
            : 'Cairn deletes '}
          every restore point of this workspace
          {count ? ` (${count})` : ''} and its key from your storage. Nothing of it can be brought
          back afterwards.
        </p>
      ) : (
        <p>
          Cairn forgets this machine and deletes every restore point of it and its key from your
          storage. The machine itself is not touched.
        </p>
      )}
    </ConfirmDelete>
  )
}
