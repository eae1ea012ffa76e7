import { CairnError } from '../../../shared/errors'
import { HetznerClient, interactiveRetryPolicy } from '../hetzner/hetzner-client'
import { secretAccounts } from '../secrets/secret-store'
import type { WorkspaceContext } from './workspace-context'

/**
 * A Hetzner client for calls someone waits on (reconcile, adopting an orphan): a few quick retries,
 * then a clear answer, instead of the jobs' patient two minutes. Null when no token is stored.
 */
export async function interactiveHetzner(ctx: WorkspaceContext): Promise<HetznerClient | null> {
  const token = await ctx.s.secrets.get(secretAccounts.hetznerToken)
  if (token === null) return null
  const { hetznerApiBase } = await ctx.s.settings.get()
  return new HetznerClient({
    baseUrl: hetznerApiBase,
    token,
    retry: interactiveRetryPolicy,
    logger: ctx.s.logger,
  })
}

export async function requireInteractiveHetzner(ctx: WorkspaceContext): Promise<HetznerClient> {
  const client = await interactiveHetzner(ctx)
  if (!client)
    throw new CairnError('not_configured', 'Add your Hetzner API token in Settings first.')
  return client
}
