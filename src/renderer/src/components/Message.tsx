/**
 * A message from the core as text, with `backticked` parts (commands, paths) shown as code. Never
 * HTML: the text is rendered as React text nodes, so a message cannot inject markup.
 */
export function Message({ text }: { text: string }) {
  const parts = text.split(/`([^`\n]+)`/)
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <code key={i} className="inline-code">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  )
}
