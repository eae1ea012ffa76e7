import type { Handlers } from '../dispatch'
import type { CoreServices } from '../../services'

export function appHandlers(s: CoreServices): Pick<Handlers, 'app.info' | 'keychain.status'> {
  return {
    'app.info': async () => ({ version: s.version, host: s.host, platform: process.platform }),
    'keychain.status': async () => s.secrets.status(),
  }
}
