import { useState } from 'react'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { Message } from '../../components/Message'
import { Spinner } from '../../components/Spinner'
import { useKeychain } from '../../state/keychain'
import { useOnboarding } from '../../state/onboarding'
import { StepFooter } from './StepFooter'

function KeychainCheck() {
  const status = useKeychain((s) => s.status)
  const keychain = useKeychain((s) => s.keychain)
  const error = useKeychain((s) => s.error)
  const load = useKeychain((s) => s.load)
  if (status === 'loading' || status === 'idle') {
    return (
      <p className="status-line" data-testid="onboarding-keychain" data-state="checking">
        <Spinner size={12} /> Checking for a keychain on this computer…
      </p>
    )
  }
  if (keychain?.available) {
    return (
      <Callout tone="success" title="Your keychain is ready" testId="onboarding-keychain">
        <p>
          Cairn keeps tokens, storage secrets and your master key in {keychain.backend}, never in a
          file.
        </p>
      </Callout>
    )
  }
  return (
    <Callout
      tone="error"
      title="No keychain on this computer"
      testId="onboarding-keychain"
      actions={
        <Button small onClick={() => void load()}>
          Check again
        </Button>
      }
    >
      <p>
        <Message
          text={
            keychain?.message ??
            error?.message ??
            'Cairn could not reach a keychain (an OS secret store).'
          }
        />
      </p>
    </Callout>
  )
}

/** What setup involves, and the one thing it needs before anything else: a keychain. */
export function WelcomeStep() {
  const [problem, setProblem] = useState<string | null>(null)
  const available = useKeychain((s) => s.keychain?.available ?? false)
  const goTo = useOnboarding((s) => s.goTo)
  return (
    <section className="onb-step-body" aria-labelledby="onb-welcome-title">
      <h1 className="onb-title" id="onb-welcome-title">
        Welcome to Cairn
      </h1>
      <p className="onb-lead">
        Cairn runs your coding workspaces on cloud servers and keeps their files as encrypted
        restore points, so a stopped workspace costs nothing and comes back exactly as it was.
      </p>
      <ol className="onb-plan">
        <li>
          <strong>Storage</strong> — a bucket (Cloudflare R2 or any S3) or a folder for restore
          points.
        </li>
        <li>
          <strong>Recovery key</strong> — the key to your encrypted data, shown once for you to
          keep.
        </li>
        <li>
          <strong>Servers</strong> — your Hetzner Cloud API token.
        </li>
        <li>
          <strong>First workspace</strong> — a server, ready for <span className="mono">ssh</span>{' '}
          and VS Code in a minute or two.
        </li>
      </ol>
      <KeychainCheck />
      <StepFooter
        step="welcome"
        nextLabel="Get started"
        problem={problem}
        onNext={() => {
          if (!available) {
            setProblem(
              'Cairn needs a keychain first: follow the steps above, then press Check again.',
            )
            return
          }
          setProblem(null)
          goTo('storage')
        }}
      />
    </section>
  )
}
