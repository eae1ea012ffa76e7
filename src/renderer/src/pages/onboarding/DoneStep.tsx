import { useEffect, useState } from 'react'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { CheckIcon } from '../../components/icons'
import { Message } from '../../components/Message'
import { getApi } from '../../state/api'
import { useNavigation } from '../../state/navigation'
import { useOnboarding } from '../../state/onboarding'
import { useWorkspaces } from '../../state/workspaces'

/** The end: the workspace is running, and how to get into it. */
export function DoneStep() {
  const id = useOnboarding((s) => s.finishedWorkspaceId)
  const workspace = useWorkspaces((s) => s.list?.workspaces.find((w) => w.id === id) ?? null)
  const note = useWorkspaces((s) => (id ? s.notes[id] : undefined))
  const open = useWorkspaces((s) => s.open)
  const openWorkspace = useNavigation((s) => s.openWorkspace)
  const [command, setCommand] = useState<string | null>(null)
  const [copied, setCopied] = useState(false)
  const name = workspace?.name ?? ''

  useEffect(() => {
    if (!id) return
    let live = true
    const api = getApi()
    api['workspaces.sshCommand']({ id })
      .then((r) => live && setCommand(r.command))
      .catch(() => live && setCommand(null))
    return () => {
      live = false
    }
  }, [id])

  const ssh = command ?? (name ? `ssh cairn-${name}` : '')
  return (
    <section className="onb-step-body onb-done" aria-labelledby="onb-done-title">
      <span className="onb-done-mark" aria-hidden="true">
        <CheckIcon size={28} />
      </span>
      <h1 className="onb-title" id="onb-done-title">
        Your workspace is running
      </h1>
      <p className="onb-lead">
        <span className="mono">{name}</span> is ready. Connect from a terminal on this computer:
      </p>
      <div className="onb-command" data-testid="onboarding-ssh">
        <code className="mono">{ssh}</code>
        <Button
          small
          onClick={() =>
            void navigator.clipboard.writeText(ssh).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </div>
      {note?.kind === 'open' ? (
        <Callout
          tone={note.result.launched ? 'success' : 'info'}
          title={note.result.launched ? 'VS Code is opening' : 'Open VS Code yourself'}
          testId="onboarding-vscode"
        >
          <p>
            {note.result.launched ? 'Cairn ran ' : 'Run this on this computer: '}
            <span className="mono">{note.result.command}</span>
          </p>
          {note.result.problem ? (
            <p className="callout-note">
              <Message text={note.result.problem} />
            </p>
          ) : null}
        </Callout>
      ) : note?.kind === 'error' ? (
        <Callout tone="error" title="Could not open VS Code">
          <p>
            <Message text={note.error.message} />
          </p>
        </Callout>
      ) : null}
      <p className="muted onb-done-note">
        {workspace?.provider === 'ssh'
          ? 'Cairn backs up its folders as encrypted restore points; the machine itself is never stopped or deleted by Cairn.'
          : workspace?.idleTimeoutMinutes
            ? `When nobody works on it for ${workspace.idleTimeoutMinutes} minutes, Cairn backs it up and deletes the server. Start it again from the Workspaces screen whenever you like.`
            : 'Stopping it backs it up and deletes the server; start it again from the Workspaces screen whenever you like.'}
      </p>
      <div className="onb-done-actions">
        <Button
          busy={note?.kind === 'busy' && note.action === 'vscode'}
          disabled={!id}
          onClick={() => id && void open(id, 'vscode')}
        >
          Open in VS Code
        </Button>
        <Button
          variant="primary"
          onClick={() => {
            useOnboarding.getState().leave()
            if (id) openWorkspace(id)
          }}
        >
          Go to your workspace
        </Button>
      </div>
    </section>
  )
}
