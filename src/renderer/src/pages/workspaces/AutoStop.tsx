import type { WorkspaceView } from '../../../../shared/domain/workspace'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { Message } from '../../components/Message'
import { formatDateTime } from '../../lib/format'
import { formatAge } from '../../lib/workspace-format'
import { useClock } from '../../state/clock'
import { useIdle } from '../../state/idle'

/** What auto-stop will do for a workspace, with what idle detection sees now. */
export function AutoStopText({ ws }: { ws: WorkspaceView }) {
  const text = useAutoStopText(ws)
  const detail = useIdle((s) => s.states[ws.id]?.lastActivity?.detail)
  return (
    <span data-testid="workspace-auto-stop" title={detail}>
      Auto-stop {text}
    </span>
  )
}

/** The Auto-stop fact of a summary (a dt/dd pair in a dl). */
export function AutoStopFact({ ws }: { ws: WorkspaceView }) {
  const text = useAutoStopText(ws)
  const detail = useIdle((s) => s.states[ws.id]?.lastActivity?.detail)
  return (
    <div>
      <dt>Auto-stop</dt>
      <dd data-testid="workspace-auto-stop" title={detail}>
        {text}
      </dd>
    </div>
  )
}

function useAutoStopText(ws: WorkspaceView): string {
  const idle = useIdle((s) => s.states[ws.id])
  const now = useClock((s) => s.now)
  let text: string
  if (ws.provider === 'ssh' || ws.idleTimeoutMinutes === null || idle?.disabledReason === 'off') {
    text = 'off'
  } else if (idle?.disabledReason === 'paused') {
    text = `paused${idle.pausedUntil ? ` until ${formatDateTime(idle.pausedUntil)}` : ''}`
  } else if (!ws.server) {
    text = `after ${ws.idleTimeoutMinutes} min idle`
  } else if (idle?.state === 'active') {
    text = `after ${ws.idleTimeoutMinutes} min idle · in use`
  } else if (idle?.state === 'idle' && idle.idleSince) {
    text = `after ${ws.idleTimeoutMinutes} min idle · idle since ${formatAge(idle.idleSince, now).replace(' ago', '')}`
  } else {
    text = `after ${ws.idleTimeoutMinutes} min idle`
  }
  return text
}

/** A stop announced by idle detection, with a way to keep the workspace running. */
export function AutoStopWarning({ ws }: { ws: WorkspaceView }) {
  const idle = useIdle((s) => s.states[ws.id])
  const postponing = useIdle((s) => s.postponing[ws.id] ?? false)
  const postpone = useIdle((s) => s.postpone)
  if (idle?.stopError) {
    return (
      <Callout tone="warning" title="Auto-stop did not work" testId="auto-stop-error">
        <p>
          <Message text={idle.stopError.message} /> The workspace keeps running; Cairn tries again
          later.
        </p>
      </Callout>
    )
  }
  if (idle?.state !== 'warn' || !idle.stopAt) return null
  return (
    <Callout
      tone="warning"
      title={`Stops at ${formatDateTime(idle.stopAt)}: nobody seems to be working in it`}
      testId="auto-stop-warning"
      actions={
        <Button small busy={postponing} onClick={() => void postpone(ws.id, 60)}>
          Keep running for 1 hour
        </Button>
      }
    >
      <p>
        Cairn will back it up and delete the server, so it stops costing money. Working in it (a
        terminal, VS Code, an agent) also keeps it running.
      </p>
    </Callout>
  )
}
