import { useEffect, useRef } from 'react'
import { ConnectionBanner } from '../../components/ConnectionBanner'
import { CairnMark } from '../../components/icons'
import { useOnboarding } from '../../state/onboarding'
import { useRepository } from '../../state/repository'
import { useSettings } from '../../state/settings'
import { ComputeStep } from './ComputeStep'
import { DoneStep } from './DoneStep'
import { KeysStep } from './KeysStep'
import { StepIndicator } from './StepIndicator'
import { StorageStep } from './StorageStep'
import { WelcomeStep } from './WelcomeStep'
import { WorkspaceStep } from './WorkspaceStep'

/** The guided first run: keychain, storage, recovery key, Hetzner, a first workspace. */
export function OnboardingPage() {
  const step = useOnboarding((s) => s.step)
  const leave = useOnboarding((s) => s.leave)
  const storageKey = useSettings((s) => JSON.stringify(s.settings?.storage ?? null))
  const hasStorage = useSettings((s) => Boolean(s.settings?.storage))
  const loadRepository = useRepository((s) => s.load)
  const main = useRef<HTMLElement>(null)

  // A new step replaced what had focus (its button): start the keyboard at the new card.
  useEffect(() => {
    const card = main.current
    if (card && !card.contains(document.activeElement)) card.focus()
  }, [step])

  // The repository step needs to know what the saved storage holds.
  useEffect(() => {
    if (hasStorage) void loadRepository()
  }, [hasStorage, storageKey, loadRepository])

  return (
    <div className="onb" data-testid="onboarding" data-step={step}>
      <header className="onb-top">
        <span className="onb-brand">
          <CairnMark size={22} />
          Cairn
        </span>
        {step === 'done' ? null : (
          <button type="button" className="onb-later" onClick={leave}>
            Set up later
          </button>
        )}
      </header>
      <ConnectionBanner />
      <div className="onb-body">
        <StepIndicator step={step} />
        <main className="onb-card" id="main" tabIndex={-1} ref={main}>
          {step === 'welcome' ? <WelcomeStep /> : null}
          {step === 'storage' ? <StorageStep /> : null}
          {step === 'keys' ? <KeysStep /> : null}
          {step === 'compute' ? <ComputeStep /> : null}
          {step === 'workspace' ? <WorkspaceStep /> : null}
          {step === 'done' ? <DoneStep /> : null}
        </main>
      </div>
    </div>
  )
}
