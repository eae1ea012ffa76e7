import { useState } from 'react'
import { Button } from '../../components/Button'
import { Callout } from '../../components/Callout'
import { CloudIcon, KeyIcon, ServerIcon } from '../../components/icons'
import { useHetzner } from '../../state/hetzner'
import { useOnboarding } from '../../state/onboarding'
import { useSettings } from '../../state/settings'
import { TokenForm } from '../settings/TokenForm'
import { SshHostForm } from './SshHostForm'
import { StepFooter } from './StepFooter'
import { useLoadWhenIdle } from '../../lib/use-load-when-idle'

type Compute = 'hetzner' | 'ssh'

function ComputeChoice({ value, onChange }: { value: Compute; onChange: (v: Compute) => void }) {
  const options: { kind: Compute; title: string; detail: string; icon: React.ReactNode }[] = [
    {
      kind: 'hetzner',
      title: 'Hetzner Cloud',
      detail: 'Servers made and deleted for you',
      icon: <CloudIcon size={20} />,
    },
    {
      kind: 'ssh',
      title: 'A server I already have',
      detail: 'Any machine you reach over SSH',
      icon: <ServerIcon size={20} />,
    },
  ]
  return (
    <fieldset className="choices">
      <legend className="visually-hidden">Where workspaces run</legend>
      {options.map((o) => (
        <label key={o.kind} className="choice" data-kind={o.kind}>
          <input
            type="radio"
            name="compute"
            value={o.kind}
            checked={value === o.kind}
            onChange={() => onChange(o.kind)}
          />
          <span className="choice-icon" aria-hidden="true">
            {o.icon}
          </span>
          <span className="choice-text">
            <span className="choice-title">{o.title}</span>
            <span className="choice-detail">{o.detail}</span>
          </span>
        </label>
      ))}
    </fieldset>
  )
}

/** The Hetzner Cloud token that lets Cairn create and delete workspace servers. */
export function ComputeStep() {
  const [problem, setProblem] = useState<string | null>(null)
  const [replacing, setReplacing] = useState(false)
  const [compute, setCompute] = useState<Compute>('hetzner')
  const settings = useSettings((s) => s.settings)
  const catalog = useHetzner((s) => s.catalog)
  const loadCatalog = useHetzner((s) => s.loadCatalog)
  const resetCheck = useHetzner((s) => s.resetCheck)
  const checking = useHetzner((s) => s.check.status === 'checking')
  const goTo = useOnboarding((s) => s.goTo)
  const hasToken = settings?.hasHetznerToken ?? false

  useLoadWhenIdle(catalog.status, loadCatalog, hasToken)

  const locations = catalog.data?.locations.length ?? 0
  return (
    <section className="onb-step-body" aria-labelledby="onb-compute-title">
      <h1 className="onb-title" id="onb-compute-title">
        {compute === 'hetzner' ? 'Connect Hetzner Cloud' : 'Bring your own server'}
      </h1>
      <p className="onb-lead">
        {compute === 'hetzner'
          ? 'Workspaces run on servers in your own Hetzner Cloud project. Cairn creates a server when you start a workspace and deletes it when you stop, so you pay only while you work.'
          : 'Cairn backs up a server you already run and gives you ssh and VS Code into it. Stopping never touches the machine itself.'}
      </p>
      {hasToken && !replacing ? null : <ComputeChoice value={compute} onChange={setCompute} />}
      {compute === 'ssh' && !(hasToken && !replacing) ? (
        <SshHostForm />
      ) : (
        <>
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
                  Open the <span className="mono">console.hetzner.cloud</span> and choose (or
                  create) a project.
                </li>
                <li>
                  Security → API tokens → Generate API token, with Read &amp; Write permission.
                </li>
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
        </>
      )}
    </section>
  )
}
