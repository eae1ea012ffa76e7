/** A labelled choice of one workspace (or, with `allLabel`, all of them: the value ''). */
export function WorkspaceSelect({
  id,
  label = 'Workspace',
  items,
  value,
  disabled,
  allLabel,
  className,
  onChange,
}: {
  id: string
  label?: string
  items: readonly { workspaceId: string; name: string }[]
  value: string
  disabled?: boolean
  allLabel?: string
  /** Classes besides `field`. */
  className?: string
  onChange(workspaceId: string): void
}) {
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <select
        id={id}
        className="input"
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value)}
      >
        {allLabel ? <option value="">{allLabel}</option> : null}
        {items.map((i) => (
          <option key={i.workspaceId} value={i.workspaceId}>
            {i.name}
          </option>
        ))}
      </select>
    </div>
  )
}
