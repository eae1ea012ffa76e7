/** An indeterminate spinner; `label` is read by screen readers, the visual is decorative. */
export function Spinner({ label, size = 14 }: { label?: string; size?: number }) {
  return (
    <span
      className="spinner"
      role={label ? 'status' : undefined}
      style={{ width: size, height: size }}
    >
      {label ? <span className="visually-hidden">{label}</span> : null}
    </span>
  )
}
