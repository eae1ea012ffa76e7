import type { Handlers } from '../dispatch'
import { createPreflight } from '../../workspaces/create-preflight'
import { startCreate } from '../../workspaces/create-workspace'
import { registerProvisionRecovery } from '../../workspaces/provision-recovery'
import { startStart } from '../../workspaces/start-workspace'
import type { WorkspaceContext } from '../../workspaces/workspace-context'
import { deleteSecret, listSecrets, setSecret } from '../../workspaces/workspace-secrets'

/**
 * Creating and starting Hetzner workspaces (jobs), and the secrets written to them. Registers the
 * rollback of a create or start cut off by a crash, and idle watching of running workspaces at
 * start-up. See docs/workspace-lifecycle.md.
 */
export function workspacesProvisionHandlers(
  ctx: WorkspaceContext,
): Pick<
  Handlers,
  | 'workspaces.create'
  | 'workspaces.preflight'
  | 'workspaces.start'
  | 'workspaces.secrets.list'
  | 'workspaces.secrets.set'
  | 'workspaces.secrets.delete'
> {
  registerProvisionRecovery(ctx)
  return {
    'workspaces.create': (input) => startCreate(ctx, input),
    'workspaces.preflight': (input) => createPreflight(ctx, input),
    'workspaces.start': (input) => startStart(ctx, input),
    'workspaces.secrets.list': ({ id }) => listSecrets(ctx, id),
    'workspaces.secrets.set': ({ id, name, value }) => setSecret(ctx, id, name, value),
    'workspaces.secrets.delete': ({ id, name }) => deleteSecret(ctx, id, name),
  }
}
