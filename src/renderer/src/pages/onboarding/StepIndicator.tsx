import { CheckIcon } from '../../components/icons'
import { onboardingSteps, stepTitles, type OnboardingStep } from '../../lib/onboarding'

/** Five numbered steps; the ones before the current are ticked. */
export function StepIndicator({ step }: { step: OnboardingStep }) {
  const current = step === 'done' ? onboardingSteps.length : onboardingSteps.indexOf(step)
  return (
    <ol className="onb-steps" aria-label="Setup steps">
      {onboardingSteps.map((name, index) => {
        const state = index < current ? 'done' : index === current ? 'current' : 'todo'
        return (
          <li
            key={name}
            className={`onb-step onb-step-${state}`}
            aria-current={state === 'current' ? 'step' : undefined}
            data-step={name}
          >
            <span className="onb-step-mark" aria-hidden="true">
              {state === 'done' ? <CheckIcon size={12} /> : index + 1}
            </span>
            <span className="onb-step-title">{stepTitles[name]}</span>
          </li>
        )
      })}
    </ol>
  )
}
