import { useEffect, useRef, type ReactNode } from 'react'
import type { UiError } from '../lib/errors'
import { Button } from './Button'
import { Message } from './Message'

/**
 * A modal: a native <dialog> opened with showModal on mount (focus stays inside) and closed on
 * unmount. Escape asks `onClose`, unless something is busy.
 */
export function Dialog({
  className,
  titleId,
  testId,
  step,
  busy,
  onClose,
  children,
}: {
  /** Classes besides `dialog`. */
  className?: string
  /** The id of the heading that names it. */
  titleId: string
  testId: string
  /** For a dialog with steps: which one shows (data-step). */
  step?: string
  busy: boolean
  onClose(): void
  children: ReactNode
}) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (dialog && !dialog.open) dialog.showModal()
    return () => dialog?.close()
  }, [])
  return (
    <dialog
      ref={ref}
      className={className ? `dialog ${className}` : 'dialog'}
      aria-labelledby={titleId}
      data-testid={testId}
      data-step={step}
      onCancel={(e) => {
        e.preventDefault()
        if (!busy) onClose()
      }}
    >
      {children}
    </dialog>
  )
}

/** A dialog form's last lines: why it failed, Cancel, and the submit button. */
export function DialogFooter({
  error,
  busy,
  submitLabel,
  variant,
  disabled = false,
  onCancel,
}: {
  error: UiError | null
  busy: boolean
  submitLabel: ReactNode
  variant: 'primary' | 'danger'
  disabled?: boolean
  onCancel(): void
}) {
  return (
    <>
      {error ? (
        <p className="field-error" role="alert">
          <Message text={error.message} />
        </p>
      ) : null}
      <div className="form-actions dialog-actions">
        <Button variant="ghost" disabled={busy} onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" variant={variant} busy={busy} disabled={disabled}>
          {submitLabel}
        </Button>
      </div>
    </>
  )
}
