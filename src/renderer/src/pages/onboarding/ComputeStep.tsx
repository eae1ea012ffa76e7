import { useEffect, useState } from 'react'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { KeyIcon } from '../../components/icons'
import { useHetzner } from '../../state/hetzner'
import { useOnboarding } from '../../state/onboarding'
import { useSettings } from '../../state/settings'
import { TokenForm } from '../settings/TokenForm'
import { StepFooter } from './StepFooter'

/** The Hetzner Cloud token that lets Cairn create and delete workspace servers. */
export function ComputeStep() {
  const [problem, setProblem] = useState<string | null>(null)
  const [replacing, setReplacing] = useState(false)
  const settings = useSettings((s) => s.settings)
  const catalog = useHetzner((s) => s.catalog)
  const loadCatalog = useHetzner((s) => s.loadCatalog)
  const resetCheck = useHetzner((s) => s.resetCheck)
  const checking = useHetzner((s) => s.check.status === 'checking')
  const goTo = useOnboarding((s) => s.goTo)
  const hasToken = settings?.hasHetznerToken ?? false

  useEffect(() => {
    if (hasToken && catalog.status === 'idle') void loadCatalog()
  }, [hasToken, catalog.status, loadCatalog])

  const locations = catalog.data?.locations.length ?? 0
  return (
    <section className="onb-step-body" aria-labelledby="onb-compute-title">
      <h1 className="onb-title" id="onb-compute-title">
        Connect Hetzner Cloud
      </h1>
      <p className="onb-lead">
        Workspaces run on servers in your own Hetzner Cloud project. Cairn creates a server when you
        start a workspace and deletes it when you stop, so you pay only while you work.
      </p>
      {hasToken && !replacing ? (
        <div className="onb-saved" data-testid="onboarding-token-stored">
          <span className="onb-saved-icon" aria-hidden="true">
            <KeyIcon size={18} />
          </span>
          <div className="onb-saved-text">
            <p className="onb-saved-title">Token stored in your keychain</p>
            <p className="onb-saved-detail">
              {catalog.status === 'ready'
                ? `Hetzner accepted it: ${locations} location${locations === 1 ? '' : 's'} to choose from.`
                : 'Hetzner accepted it.'}
            </p>
          </div>
          <Button
            small
            onClick={() => {
              resetCheck()
              setReplacing(true)
            }}
          >
            Replace
          </Button>
        </div>
      ) : (
        <>
          <ol className="onb-howto">
            <li>
              Open the <span className="mono">console.hetzner.cloud</span> and choose (or create) a
              project.
            </li>
            <li>Security → API tokens → Generate API token, with Read &amp; Write permission.</li>
            <li>Paste it here. It goes straight to your keychain.</li>
          </ol>
          <TokenForm
            apiBase={settings?.hetznerApiBase ?? ''}
            onSaved={() => {
              setReplacing(false)
              setProblem(null)
            }}
            onCancel={hasToken ? () => setReplacing(false) : undefined}
          />
        </>
      )}
      {hasToken && catalog.status === 'error' && catalog.error ? (
        <Callout
          tone="error"
          title="Hetzner did not answer with locations and prices"
          actions={
            <Button small onClick={() => void loadCatalog()}>
              Retry
            </Button>
          }
        >
          <p>{catalog.error.message}</p>
        </Callout>
      ) : null}
      <StepFooter
        step="compute"
        problem={hasToken && !replacing ? null : problem}
        busy={checking}
        onNext={() => {
          if (!hasToken) {
            setProblem('Add your Hetzner token first: paste it above and press Check and save.')
            return
          }
          if (replacing) {
            setProblem('Save the new token or press Cancel first.')
            return
          }
          setProblem(null)
          goTo('workspace')
        }}
      />
    </section>
  )
}
