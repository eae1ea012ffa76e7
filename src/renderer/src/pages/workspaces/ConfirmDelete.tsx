import { useId, useState, type FormEvent, type ReactNode } from 'react'
import { Dialog, DialogFooter } from '../../components/Dialog'
import type { UiError } from '../../lib/errors'

/**
 * A modal that deletes something only after its name is typed exactly: the button stays
 * disabled until then. A native <dialog>: focus stays inside, Escape closes it.
 */
export function ConfirmDelete({
  title,
  name,
  confirmLabel,
  busy,
  error,
  children,
  onConfirm,
  onClose,
}: {
  title: string
  name: string
  confirmLabel: string
  busy: boolean
  error: UiError | null
  children: ReactNode
  onConfirm(typed: string): void
  onClose(): void
}) {
  const [typed, setTyped] = useState('')
  const id = useId()
  const matches = typed === name
  return (
    <Dialog titleId={`${id}-title`} testId="confirm-delete" busy={busy} onClose={onClose}>
      <form
        method="dialog"
        noValidate
        onSubmit={(e: FormEvent) => {
          e.preventDefault()
          if (matches && !busy) onConfirm(typed)
        }}
      >
        <h2 className="dialog-title" id={`${id}-title`}>
          {title}
        </h2>
        <div className="dialog-text">{children}</div>
        <label className="field-label" htmlFor={`${id}-name`}>
          Type <span className="mono">{name}</span> to confirm
        </label>
        <input
          id={`${id}-name`}
          className="input input-mono"
          name="confirm-name"
          value={typed}
          autoComplete="off"
          spellCheck={false}
          autoFocus
          disabled={busy}
          onChange={(e) => setTyped(e.target.value)}
        />
        <DialogFooter
          error={error}
          busy={busy}
          submitLabel={confirmLabel}
          variant="danger"
          disabled={!matches}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  )
}
