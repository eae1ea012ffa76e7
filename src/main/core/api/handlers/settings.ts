import type { Handlers } from '../dispatch'
import { publishSettings, settingsView, type CoreServices } from '../../services'

export function settingsHandlers(
  s: CoreServices,
): Pick<Handlers, 'settings.get' | 'settings.setHetznerApiBase' | 'settings.setPreferences'> {
  return {
    'settings.get': async () => settingsView(s),
    'settings.setHetznerApiBase': async ({ url }) => {
      await s.settings.update((current) => ({
        ...current,
        hetznerApiBase: url.replace(/\/+$/, ''),
      }))
      s.logger.info('Hetzner API base changed', { host: new URL(url).host })
      return publishSettings(s)
    },
    'settings.setPreferences': async (changes) => {
      await s.settings.update((current) => ({
        ...current,
        preferences: { ...current.preferences, ...changes },
      }))
      s.logger.info('preferences changed', changes)
      return publishSettings(s)
    },
  }
}
