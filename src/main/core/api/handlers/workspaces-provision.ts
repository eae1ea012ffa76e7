import { CairnError } from '../../../../shared/errors'
import type { Handlers } from '../dispatch'
import type { WorkspaceContext } from '../../workspaces/workspace-context'

// PLACEHOLDER: being built now; every method refuses until its implementation lands.
export function workspacesProvisionHandlers(
  _ctx: WorkspaceContext,
): Pick<
  Handlers,
  | 'workspaces.create'
  | 'workspaces.start'
  | 'workspaces.secrets.list'
  | 'workspaces.secrets.set'
  | 'workspaces.secrets.delete'
> {
  void _ctx
  const later = async (): Promise<never> => {
    throw new CairnError('not_configured', 'This version of Cairn cannot do that yet.')
  }
  return {
    'workspaces.create': later,
    'workspaces.start': later,
    'workspaces.secrets.list': later,
    'workspaces.secrets.set': later,
    'workspaces.secrets.delete': later,
  }
}
