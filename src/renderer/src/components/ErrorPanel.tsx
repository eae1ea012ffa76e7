import { genericErrorHeading, type UiError } from '../lib/errors'
import { Callout } from './Callout'
import { Message } from './Message'

/** A failed load: what went wrong, in the core's words, and a way to try again. */
export function ErrorPanel({
  error,
  title,
  onRetry,
  testId,
}: {
  error: UiError
  title?: string
  onRetry?: () => void
  testId?: string
}) {
  return (
    <Callout
      tone="error"
      title={title ?? genericErrorHeading(error)}
      testId={testId}
      actions={
        onRetry ? (
          <button type="button" className="button button-secondary button-small" onClick={onRetry}>
            Retry
          </button>
        ) : null
      }
    >
      <p>
        <Message text={error.message} />
      </p>
    </Callout>
  )
}
