import { ErrorPanel } from '../components/ErrorPanel'
import { Skeleton } from '../components/Skeleton'
import { useSettings } from '../state/settings'
import { HetznerSection } from './settings/HetznerSection'
import { KeychainLine } from './settings/KeychainLine'
import { StorageSection } from './settings/StorageSection'

export function SettingsPage() {
  const status = useSettings((s) => s.status)
  const settings = useSettings((s) => s.settings)
  const error = useSettings((s) => s.error)
  const load = useSettings((s) => s.load)
  return (
    <>
      <KeychainLine />
      {settings ? (
        <>
          <HetznerSection settings={settings} />
          <StorageSection settings={settings} />
        </>
      ) : status === 'error' && error ? (
        <ErrorPanel
          error={error}
          title="Could not load the settings"
          onRetry={() => void load()}
          testId="settings-error"
        />
      ) : (
        <>
          <div className="card section">
            <Skeleton label="Loading Hetzner settings" lines={3} />
          </div>
          <div className="card section">
            <Skeleton label="Loading storage settings" lines={4} />
          </div>
        </>
      )}
    </>
  )
}
