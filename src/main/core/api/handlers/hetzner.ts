import { CairnError } from '../../../../shared/errors'
import type { Handlers } from '../dispatch'
import { HetznerClient, interactiveRetryPolicy } from '../../hetzner/hetzner-client'
import { secretAccounts } from '../../secrets/secret-store'
import { publishSettings, type CoreServices } from '../../services'

export function hetznerHandlers(
  s: CoreServices,
): Pick<Handlers, 'hetzner.setToken' | 'hetzner.clearToken' | 'hetzner.catalog'> {
  const client = async (token: string) => {
    const { hetznerApiBase } = await s.settings.get()
    // A person is waiting on these calls: a few quick retries, then a clear answer.
    return new HetznerClient({
      baseUrl: hetznerApiBase,
      token,
      retry: interactiveRetryPolicy,
      logger: s.logger,
    })
  }

  return {
    'hetzner.setToken': async ({ token }, ctx) => {
      s.known.add(token)
      // The token is stored only after Hetzner has accepted it for both calls Cairn needs; any
      // failure leaves the keychain exactly as it was (including an earlier, working token).
      const catalog = await (await client(token)).catalog(ctx.signal)
      await s.secrets.set(secretAccounts.hetznerToken, token)
      s.logger.info('Hetzner token checked and stored', {
        locations: catalog.locations.length,
        serverTypes: catalog.serverTypes.length,
      })
      await publishSettings(s)
      return catalog
    },

    'hetzner.clearToken': async () => {
      await s.secrets.delete(secretAccounts.hetznerToken)
      s.logger.info('Hetzner token removed')
      return publishSettings(s)
    },

    'hetzner.catalog': async (_input, ctx) => {
      const token = await s.secrets.get(secretAccounts.hetznerToken)
      if (token === null) {
        throw new CairnError('not_configured', 'Add your Hetzner API token in Settings first.')
      }
      return (await client(token)).catalog(ctx.signal)
    },
  }
}
