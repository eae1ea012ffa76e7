import type { Handlers } from '../dispatch'
import { publishSettings, settingsView, type CoreServices } from '../../services'

export function settingsHandlers(
  s: CoreServices,
): Pick<Handlers, 'settings.get' | 'settings.setHetznerApiBase'> {
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
  }
}
