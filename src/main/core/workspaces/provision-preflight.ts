import { CairnError } from '../../../shared/errors'
import { secretAccounts } from '../secrets/secret-store'
import { findOffers, type ServerOffer } from './server-offer'
import type { WorkspaceContext } from './workspace-context'

/**
 * What a create or start checks before any money is spent: a Hetzner token, storage and the
 * master key (the restore points that make stop and start safe), and that the server type is sold
 * in the location (and the allowed fallbacks) with a price Cairn can show.
 */
export async function provisionPreflight(
  ctx: WorkspaceContext,
  serverType: string,
  locations: readonly string[],
): Promise<ServerOffer[]> {
  if ((await ctx.s.secrets.get(secretAccounts.hetznerToken)) === null) {
    throw new CairnError('not_configured', 'Add your Hetzner API token in Settings first.')
  }
  await ctx.backup.configuredStore().then((c) => c.close())
  await ctx.backup.masterKeys.require()
  const hetzner = await ctx.hetzner()
  return findOffers(hetzner, serverType, locations, AbortSignal.timeout(60_000))
}
