import { CairnError } from '../../../../shared/errors'
import type { Handlers } from '../dispatch'
import type { WorkspaceContext } from '../../workspaces/workspace-context'

// PLACEHOLDER: being built now; every method refuses until its implementation lands.
export function workspacesStopHandlers(
  _ctx: WorkspaceContext,
): Pick<Handlers, 'workspaces.stop' | 'workspaces.backup' | 'workspaces.delete'> {
  void _ctx
  const later = async (): Promise<never> => {
    throw new CairnError('not_configured', 'This version of Cairn cannot do that yet.')
  }
  return {
    'workspaces.stop': later,
    'workspaces.backup': later,
    'workspaces.delete': later,
  }
}
