import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { Message } from '../../components/Message'
import { useWorkspaces } from '../../state/workspaces'

/**
 * What Copy SSH command and Open said, or why an action failed (the workspaces store holds it):
 * under a row of the list and on the detail page alike.
 */
export function ActionNoteLine({ id }: { id: string }) {
  const note = useWorkspaces((s) => s.notes[id])
  const dismiss = useWorkspaces((s) => s.dismiss)
  if (!note || note.kind === 'busy') return null
  if (note.kind === 'error') {
    if (note.action === 'delete') return null // shown in the dialog
    return (
      <Callout
        tone="error"
        title="That did not work"
        testId="workspace-action-error"
        actions={
          <Button small variant="ghost" onClick={() => dismiss(id)}>
            Dismiss
          </Button>
        }
      >
        <p data-error-code={note.error.code}>
          <Message text={note.error.message} />
        </p>
      </Callout>
    )
  }
  if (note.kind === 'ssh') {
    return (
      <div className="ws-note" role="status" data-testid="ssh-command">
        <span>{note.copied ? 'Copied to the clipboard:' : 'Run this in a terminal:'}</span>
        <code className="ws-command">{note.command}</code>
        <Button small variant="ghost" onClick={() => dismiss(id)}>
          Close
        </Button>
      </div>
    )
  }
  const what = note.action === 'vscode' ? 'VS Code' : 'a terminal'
  return (
    <div
      className={`ws-note${note.result.launched ? '' : ' ws-note-warning'}`}
      role="status"
      data-testid="open-result"
      data-launched={note.result.launched}
    >
      <span>
        {note.result.launched ? (
          `Opened ${what}.`
        ) : (
          <>
            Could not open {what}: <Message text={note.result.problem ?? 'no reason given'} /> Run
            it yourself:
          </>
        )}
      </span>
      <code className="ws-command">{note.result.command}</code>
      <Button small variant="ghost" onClick={() => dismiss(id)}>
        Close
      </Button>
    </div>
  )
}
