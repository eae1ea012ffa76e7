import { Button } from '../../components/Button'
import { useOnboarding } from '../../state/onboarding'

/** Reopens onboarding at the first step not done yet (for screens that say setup is missing). */
export function GuidedSetupButton({ small, primary }: { small?: boolean; primary?: boolean }) {
  const open = useOnboarding((s) => s.open)
  return (
    <Button small={small} variant={primary ? 'primary' : 'secondary'} onClick={open}>
      Guided setup
    </Button>
  )
}
