import type { SettingsView } from '../../shared/domain/settings'
import type { EventBus } from './api/event-bus'
import type { JobRunner } from './jobs/job-runner'
import type { Logger } from './logging/logger'
import type { KnownSecrets } from './secrets/known-secrets'
import { secretAccounts, type SecretStore } from './secrets/secret-store'
import type { SettingsStore } from './settings/settings-store'
import { storageSecretId } from './storage/create-store'

/** The core's long-lived parts, shared by the handlers of every area. */
export interface CoreServices {
  dataDir: string
  host: 'electron' | 'headless'
  version: string
  events: EventBus
  logger: Logger
  settings: SettingsStore
  secrets: SecretStore
  /** Secret values seen by this process, for redaction and the settings guard. */
  known: KnownSecrets
  jobs: JobRunner
}

/**
 * Settings as the UI sees them: the file's content plus which secrets exist. When the keychain
 * cannot be asked, the flags read false; keychain.status tells the UI why.
 */
export async function settingsView(services: CoreServices): Promise<SettingsView> {
  const settings = await services.settings.get()
  const has = async (account: string) => {
    try {
      return (await services.secrets.get(account)) !== null
    } catch {
      return false
    }
  }
  const storageId = settings.storage ? storageSecretId(settings.storage) : null
  return {
    ...settings,
    hasHetznerToken: await has(secretAccounts.hetznerToken),
    hasStorageSecret:
      storageId === null ? false : await has(secretAccounts.storageSecret(storageId)),
  }
}

/** Reads the view and publishes it as settings.changed; returns it for the caller's answer. */
export async function publishSettings(services: CoreServices): Promise<SettingsView> {
  const view = await settingsView(services)
  services.events.emit('settings.changed', view)
  return view
}
