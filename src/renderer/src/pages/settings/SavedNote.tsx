/** A quiet line after an immediate save: "Saving…" then "Saved." (errors are shown elsewhere). */
export function SavedNote({ state }: { state: 'idle' | 'saving' | 'saved' | 'error' | undefined }) {
  if (state !== 'saving' && state !== 'saved') return null
  return (
    <p className="saved-note" role="status" data-state={state}>
      {state === 'saving' ? 'Saving…' : 'Saved.'}
    </p>
  )
}
