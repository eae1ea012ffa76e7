import { useRef, type KeyboardEvent } from 'react'
import { ErrorPanel } from '../components/ErrorPanel'
import { Skeleton } from '../components/Skeleton'
import { useSettings } from '../state/settings'
import { settingsTabs, useSettingsTab, type SettingsTab } from '../state/settings-tab'
import { BackupsTab } from './settings/BackupsTab'
import { CostsSection } from './settings/CostsSection'
import { GeneralTab } from './settings/GeneralTab'
import { HetznerSection } from './settings/HetznerSection'
import { KeychainLine } from './settings/KeychainLine'
import { SecurityTab } from './settings/SecurityTab'
import { StorageSection } from './settings/StorageSection'

function AccountsTab() {
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
          {settings.storage ? <CostsSection /> : null}
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

const panels: Record<SettingsTab, () => React.JSX.Element> = {
  accounts: AccountsTab,
  backups: BackupsTab,
  general: GeneralTab,
  security: SecurityTab,
}

/** Settings in parts: a list of tabs on the left (arrow keys move between them), one part shown. */
export function SettingsPage() {
  const tab = useSettingsTab((s) => s.tab)
  const show = useSettingsTab((s) => s.show)
  const buttons = useRef<Partial<Record<SettingsTab, HTMLButtonElement | null>>>({})
  const Panel = panels[tab]

  function onKeyDown(event: KeyboardEvent) {
    const index = settingsTabs.findIndex((t) => t.id === tab)
    const step =
      event.key === 'ArrowDown' || event.key === 'ArrowRight'
        ? 1
        : event.key === 'ArrowUp' || event.key === 'ArrowLeft'
          ? -1
          : 0
    let next = index + step
    if (event.key === 'Home') next = 0
    else if (event.key === 'End') next = settingsTabs.length - 1
    else if (step === 0) return
    event.preventDefault()
    const target = settingsTabs[(next + settingsTabs.length) % settingsTabs.length]
    if (!target) return
    show(target.id)
    buttons.current[target.id]?.focus()
  }

  return (
    <div className="settings-layout">
      <div
        className="settings-tabs"
        role="tablist"
        aria-label="Settings"
        aria-orientation="vertical"
        onKeyDown={onKeyDown}
      >
        {settingsTabs.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              buttons.current[t.id] = el
            }}
            type="button"
            role="tab"
            id={`settings-tab-${t.id}`}
            aria-controls={`settings-panel-${t.id}`}
            aria-selected={t.id === tab}
            tabIndex={t.id === tab ? 0 : -1}
            className="settings-tab"
            data-testid={`settings-tab-${t.id}`}
            onClick={() => show(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div
        className="settings-panel"
        role="tabpanel"
        id={`settings-panel-${tab}`}
        aria-labelledby={`settings-tab-${tab}`}
      >
        <Panel />
      </div>
    </div>
  )
}
