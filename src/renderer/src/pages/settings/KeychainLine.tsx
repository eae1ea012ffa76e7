import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { Spinner } from '../../components/Spinner'
import { useKeychain } from '../../state/keychain'
import { Message } from '../../components/Message'

/** One line on where secrets go; a full panel only when there is nowhere for them to go. */
export function KeychainLine() {
  const { status, keychain, error, load } = useKeychain()
  if (status === 'error' && error) {
    return (
      <div className="status-line status-line-error" role="alert" data-testid="keychain-status">
        <span className="dot dot-error" aria-hidden="true" />
        <span>
          Could not ask about the keychain: <Message text={error.message} />
        </span>
        <Button small variant="ghost" onClick={() => void load()}>
          Retry
        </Button>
      </div>
    )
  }
  if (status !== 'ready' || !keychain) {
    return (
      <div className="status-line" data-testid="keychain-status">
        <Spinner size={12} />
        <span>Checking the keychain…</span>
      </div>
    )
  }
  if (!keychain.available) {
    return (
      <div data-testid="keychain-status" data-available="false">
        <Callout
          tone="warning"
          title={`Keychain not available (${keychain.backend})`}
          actions={
            <Button small onClick={() => void load()}>
              Check again
            </Button>
          }
        >
          <p>
            <Message
              text={keychain.message ?? 'Cairn keeps tokens and keys only in the OS keychain.'}
            />
          </p>
        </Callout>
      </div>
    )
  }
  return (
    <div className="status-line" data-testid="keychain-status" data-available="true">
      <span className="dot dot-ok" aria-hidden="true" />
      <span>
        Keychain available: secrets are kept in <strong>{keychain.backend}</strong>, never in
        settings files.
      </span>
    </div>
  )
}
