import { CairnError } from '../../../shared/errors'
import { CONFIG_KEY } from '../repo/layout'
import { secretAccounts } from '../secrets/secret-store'
import { findOffers, type ServerOffer } from './server-offer'
import type { WorkspaceContext } from './workspace-context'

/**
 * The steps of the check before money is spent, one function each so that workspaces.preflight
 * (create-preflight.ts) can run them one by one and report each, and a create or start runs them
 * in order and stops at the first failure.
 */
export async function requireHetznerToken(ctx: WorkspaceContext): Promise<void> {
  if ((await ctx.s.secrets.get(secretAccounts.hetznerToken)) === null) {
    throw new CairnError('not_configured', 'Add your Hetzner API token in Settings first.')
  }
}

/** The storage is configured and answers (the repository's config object is there). */
export async function requireStorage(ctx: WorkspaceContext, signal?: AbortSignal): Promise<void> {
  const { store, close } = await ctx.backup.configuredStore()
  try {
    const config = await store.head(CONFIG_KEY, signal ? { signal } : {})
    if (!config) {
      throw new CairnError(
        'not_configured',
        'The storage has no Cairn repository yet. Create it on the Workspaces screen or in Settings.',
      )
    }
  } finally {
    close()
  }
}

export async function requireMasterKey(ctx: WorkspaceContext): Promise<void> {
  await ctx.backup.masterKeys.require()
}

/** The server type is sold in the location (and the allowed fallbacks) with a price. */
export async function requireOffers(
  ctx: WorkspaceContext,
  serverType: string,
  locations: readonly string[],
): Promise<ServerOffer[]> {
  const hetzner = await ctx.hetzner()
  return findOffers(hetzner, serverType, locations, AbortSignal.timeout(60_000))
}

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
  await requireHetznerToken(ctx)
  await ctx.backup.configuredStore().then((c) => c.close())
  await requireMasterKey(ctx)
  return requireOffers(ctx, serverType, locations)
}
