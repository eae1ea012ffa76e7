import type { NotificationLevel } from '../../../../shared/domain/settings'
import { Callout } from '../../components/Callout'
import { ErrorPanel } from '../../components/ErrorPanel'
import { InfoIcon, ServerIcon, SettingsIcon } from '../../components/icons'
import { GuidedSetupButton } from '../onboarding/GuidedSetupButton'
import { Skeleton } from '../../components/Skeleton'
import { useAppInfo } from '../../state/app-info'
import { usePreferences } from '../../state/preferences'
import { useSettings } from '../../state/settings'
import { SectionHeading } from './SectionHeading'
import { DefaultIdleForm } from './DefaultIdleForm'
import { SavedNote } from './SavedNote'
import { useLoadWhenIdle } from '../../lib/use-load-when-idle'

const levels: { value: NotificationLevel; title: string; detail: string }[] = [
  {
    value: 'all',
    title: 'Everything',
    detail: 'Backups finished, workspaces stopped or about to stop, restores done, and problems.',
  },
  {
    value: 'problems',
    title: 'Warnings and errors',
    detail: 'Failed backups, a workspace about to be auto-stopped, keychain or key problems.',
  },
  {
    value: 'off',
    title: 'Off',
    detail: 'No notifications. The Activity page still lists every job.',
  },
]

function NotificationsSection() {
  const settings = useSettings((s) => s.settings)
  const settingsStatus = useSettings((s) => s.status)
  const settingsError = useSettings((s) => s.error)
  const saving = usePreferences((s) => s.saving)
  const error = usePreferences((s) => s.error)
  const setPreference = usePreferences((s) => s.setPreference)
  const host = useAppInfo((s) => s.info?.host)

  if (!settings) {
    return (
      <section
        className="card section"
        aria-label="Notifications"
        data-testid="notifications-section"
      >
        {settingsStatus === 'error' && settingsError ? (
          <ErrorPanel
            error={settingsError}
            title="Could not load the preferences"
            onRetry={() => void useSettings.getState().load()}
          />
        ) : (
          <Skeleton label="Loading preferences" lines={3} />
        )}
      </section>
    )
  }
  const prefs = settings.preferences
  return (
    <section
      className="card section"
      aria-labelledby="notifications-heading"
      data-testid="notifications-section"
    >
      <SectionHeading
        id="notifications-heading"
        icon={<InfoIcon size={20} />}
        title="Notifications and start-up"
        description="Cairn keeps working in the tray while its window is closed and tells you what happened through notifications."
      />
      <fieldset className="pref-group" data-testid="notification-level">
        <legend className="subheading">Notify me about</legend>
        <div className="pref-options">
          {levels.map((level) => (
            <label key={level.value} className="pref-option" data-level={level.value}>
              <input
                type="radio"
                name="notification-level"
                value={level.value}
                checked={prefs.notificationLevel === level.value}
                disabled={saving.notificationLevel === 'saving'}
                onChange={() => void setPreference('notificationLevel', level.value)}
              />
              <span>
                <span className="pref-option-title">{level.title}</span>
                <span className="pref-option-detail">{level.detail}</span>
              </span>
            </label>
          ))}
        </div>
        <SavedNote state={saving.notificationLevel} />
      </fieldset>
      <div className="pref-group section-part">
        <label className="checkbox">
          <input
            type="checkbox"
            name="launch-at-login"
            checked={prefs.launchAtLogin}
            disabled={saving.launchAtLogin === 'saving'}
            onChange={(e) => void setPreference('launchAtLogin', e.target.checked)}
          />
          <span>
            <strong>Launch at login</strong>
            <span className="checkbox-hint">
              {' '}
              — start Cairn in the tray when you log in, so schedules and auto-stop keep running.
            </span>
          </span>
        </label>
        {host === 'headless' ? (
          <p className="footnote" data-testid="launch-at-login-browser">
            You are using Cairn in a browser: this applies to the Cairn desktop app on this
            computer. The headless host is started by whoever runs it (a service, a terminal).
          </p>
        ) : null}
        <SavedNote state={saving.launchAtLogin} />
      </div>
      {error ? <ErrorPanel error={error} title="The preference was not saved" /> : null}
    </section>
  )
}

function IdleSection() {
  const status = usePreferences((s) => s.idleStatus)
  const idle = usePreferences((s) => s.idle)
  const error = usePreferences((s) => s.idleError)
  const busy = usePreferences((s) => s.idleSaving)
  const { loadIdle, setStopAllOnQuit } = usePreferences.getState()
  useLoadWhenIdle(status, loadIdle)

  return (
    <section className="card section" aria-labelledby="idle-heading" data-testid="idle-section">
      <SectionHeading
        id="idle-heading"
        icon={<ServerIcon size={20} />}
        title="Auto-stop"
        description="A stopped workspace costs nothing on Hetzner: Cairn backs it up, checks the backup, then deletes the server. Start brings it back."
      />
      <ul className="plain-list">
        <li>
          Idle means no terminal input, no VS Code window, no coding agent working and no CPU use;
          Cairn warns 5 minutes before it stops a workspace. Existing SSH hosts are never stopped.
        </li>
      </ul>
      <DefaultIdleForm />
      {status === 'error' && error && !idle ? (
        <ErrorPanel
          error={error}
          title="Could not load the auto-stop settings"
          onRetry={() => void loadIdle()}
        />
      ) : !idle ? (
        <Skeleton label="Loading auto-stop settings" lines={1} />
      ) : (
        <div className="pref-group">
          <label className="checkbox">
            <input
              type="checkbox"
              name="stop-all-on-quit"
              checked={idle.stopAllOnQuit}
              disabled={busy}
              onChange={(e) => void setStopAllOnQuit(e.target.checked)}
            />
            <span>
              <strong>Stop every running workspace when Cairn quits</strong>
              <span className="checkbox-hint">
                {' '}
                — each is backed up and checked first; the server is deleted only after that.
              </span>
            </span>
          </label>
          {error ? <ErrorPanel error={error} title="The setting was not saved" /> : null}
        </div>
      )}
      {idle && !idle.stopAllOnQuit ? (
        <Callout tone="info" title="Quitting leaves workspaces running">
          <p>
            While Cairn is not running, nothing stops an idle workspace and its server keeps costing
            money. Closing the window is fine: Cairn stays in the tray.
          </p>
        </Callout>
      ) : null}
    </section>
  )
}

function GuidedSetupSection() {
  return (
    <section className="card section" aria-labelledby="guided-setup-heading">
      <SectionHeading
        id="guided-setup-heading"
        icon={<SettingsIcon size={20} />}
        title="Guided setup"
        description="The first-run steps again: keychain, storage, recovery key, servers and a first workspace. Steps already done are skipped."
        aside={<GuidedSetupButton small />}
      />
    </section>
  )
}

export function GeneralTab() {
  return (
    <>
      <NotificationsSection />
      <IdleSection />
      <GuidedSetupSection />
    </>
  )
}
