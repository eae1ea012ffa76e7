import type { ReactNode } from 'react'
import { Button } from '../../components/Button'

/**
 * An inline "are you sure?" box: what will happen, then the action and Cancel (both held while
 * it runs). `status` stands beside the buttons, `after` below them.
 */
export function ConfirmBox({
  label,
  testId,
  confirmLabel,
  variant = 'primary',
  busy,
  onConfirm,
  onCancel,
  status,
  after,
  children,
}: {
  /** What the box asks, for screen readers. */
  label: string
  testId?: string
  confirmLabel: ReactNode
  variant?: 'primary' | 'danger'
  busy: boolean
  onConfirm(): void
  onCancel(): void
  status?: ReactNode
  after?: ReactNode
  children: ReactNode
}) {
  return (
    <div className="confirm" role="group" aria-label={label} data-testid={testId}>
      {children}
      <div className="form-actions">
        <Button small variant={variant} busy={busy} onClick={onConfirm}>
          {confirmLabel}
        </Button>
        <Button small variant="ghost" onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        {status}
      </div>
      {after}
    </div>
  )
}
