import { Button } from '../components/Button'
import { EmptyState } from '../components/EmptyState'
import { ServerIcon } from '../components/icons'
import { useNavigation } from '../state/navigation'
import { useSettings } from '../state/settings'

export function WorkspacesPage() {
  const go = useNavigation((s) => s.go)
  const settings = useSettings((s) => s.settings)
  const ready = Boolean(settings?.hasHetznerToken && settings.storage)
  return (
    <>
      <EmptyState
        icon={<ServerIcon size={28} />}
        title="Workspaces come next"
        action={
          <Button variant="primary" onClick={() => go('settings')}>
            {ready ? 'Review settings' : 'Open Settings'}
          </Button>
        }
      >
        <p>
          Cairn will create workspaces on Hetzner Cloud, back them up as encrypted restore points,
          and stop them when they sit idle so a forgotten machine costs nothing.
        </p>
        {settings ? (
          <p>
            {ready
              ? 'Your Hetzner token and storage are set up, so you are ready for them.'
              : 'To be ready, add your Hetzner Cloud token and choose where backups go in Settings.'}
          </p>
        ) : null}
      </EmptyState>
    </>
  )
}
