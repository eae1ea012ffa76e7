import type { ReactNode } from 'react'
import { Button } from '../../components/Button'
import { onboardingSteps, type OnboardingStep } from '../../lib/onboarding'
import { useOnboarding } from '../../state/onboarding'

/** The step before this one (none for the welcome). */
function previousStep(step: OnboardingStep): OnboardingStep | null {
  const index = onboardingSteps.indexOf(step as (typeof onboardingSteps)[number])
  return index > 0 ? (onboardingSteps[index - 1] ?? null) : null
}

/**
 * Back and Continue under a step. The step validates in `onNext`; `problem` says why it cannot
 * go on yet, next to the button that was pressed.
 */
export function StepFooter({
  step,
  onNext,
  onBack,
  nextLabel = 'Continue',
  busy,
  problem,
  extra,
}: {
  step: OnboardingStep
  onNext: () => void
  onBack?: () => void
  nextLabel?: string
  busy?: boolean
  problem?: string | null
  extra?: ReactNode
}) {
  const goTo = useOnboarding((s) => s.goTo)
  const previous = previousStep(step)
  const back = onBack ?? (previous ? () => goTo(previous) : null)
  return (
    <div className="onb-footer">
      {problem ? (
        <p className="onb-problem" role="alert" data-testid="onboarding-problem">
          {problem}
        </p>
      ) : null}
      <div className="onb-footer-buttons">
        {back ? (
          <Button variant="ghost" onClick={back} disabled={busy}>
            Back
          </Button>
        ) : (
          <span />
        )}
        <div className="onb-footer-right">
          {extra}
          <Button variant="primary" busy={busy} onClick={onNext} data-testid="onboarding-next">
            {nextLabel}
          </Button>
        </div>
      </div>
    </div>
  )
}
