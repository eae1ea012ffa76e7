/** Placeholder lines while something loads; hidden from screen readers, which get `label`. */
export function Skeleton({ lines = 3, label }: { lines?: number; label: string }) {
  return (
    <div className="skeleton" role="status" aria-live="polite">
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: lines }, (_, i) => (
        <div
          key={i}
          className="skeleton-line"
          aria-hidden="true"
          style={{ width: `${92 - i * 17}%` }}
        />
      ))}
    </div>
  )
}
