import { useNavigation } from '../state/navigation'
import { useIdle } from '../state/idle'
import { useWorkspaces } from '../state/workspaces'
import { useToasts } from './store'

const severityLabel = { info: 'Done', warning: 'Warning', error: 'Problem' } as const

/**
 * The in-app notifications (browser only; see store.ts). A polite live region so screen readers
 * read them without moving focus; errors are announced assertively.
 */
export function Toasts() {
  const toasts = useToasts((s) => s.toasts)
  const dismiss = useToasts((s) => s.dismiss)
  const act = useToasts((s) => s.act)
  const postponing = useIdle((s) => s.postponing)
  const openWorkspace = useNavigation((s) => s.openWorkspace)
  // A backup of a workspace this desktop does not list (found in storage) has no page to show.
  const listed = useWorkspaces((s) => s.list?.workspaces)
  const hasPage = (id: string | null) => id !== null && (listed ?? []).some((w) => w.id === id)
  return (
    <section className="toasts" aria-label="Notifications" aria-live="polite">
      {toasts.map((toast) => (
        <div
          key={toast.id}
          className={`toast toast-${toast.severity}`}
          role={toast.severity === 'error' ? 'alert' : 'status'}
          data-testid="toast"
        >
          <div className="toast-text">
            <span className="visually-hidden">{severityLabel[toast.severity]}: </span>
            <strong className="toast-title">{toast.title}</strong>
            <p className="toast-body">{toast.body}</p>
            <div className="toast-actions">
              {toast.actions.map(({ label, action }) => (
                <button
                  key={label}
                  type="button"
                  className="button button-primary button-small"
                  disabled={
                    action.kind === 'postpone-idle' && postponing[action.workspaceId] === true
                  }
                  onClick={() => void act(toast.id, action)}
                >
                  {label}
                </button>
              ))}
              {hasPage(toast.workspaceId) ? (
                <button
                  type="button"
                  className="button button-ghost button-small"
                  onClick={() => {
                    openWorkspace(toast.workspaceId ?? '')
                    dismiss(toast.id)
                  }}
                >
                  Show workspace
                </button>
              ) : null}
            </div>
          </div>
          <button
            type="button"
            className="toast-close"
            aria-label={`Dismiss: ${toast.title}`}
            onClick={() => dismiss(toast.id)}
          >
            ×
          </button>
        </div>
      ))}
    </section>
  )
}
