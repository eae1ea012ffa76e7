import { CairnError } from '../../../../shared/errors'
import type { Handlers } from '../dispatch'
import type { WorkspaceContext } from '../../workspaces/workspace-context'

// PLACEHOLDER: being built now; every method refuses until its implementation lands.
export function workspacesRegistryHandlers(
  _ctx: WorkspaceContext,
): Pick<
  Handlers,
  | 'workspaces.list'
  | 'workspaces.reconcile'
  | 'workspaces.update'
  | 'workspaces.probeHostKey'
  | 'workspaces.adoptSsh'
  | 'workspaces.adoptOrphan'
  | 'workspaces.deleteOrphan'
  | 'workspaces.importDiscovered'
  | 'workspaces.openVsCode'
  | 'workspaces.openTerminal'
  | 'workspaces.sshCommand'
> {
  void _ctx
  const later = async (): Promise<never> => {
    throw new CairnError('not_configured', 'This version of Cairn cannot do that yet.')
  }
  return {
    'workspaces.list': later,
    'workspaces.reconcile': later,
    'workspaces.update': later,
    'workspaces.probeHostKey': later,
    'workspaces.adoptSsh': later,
    'workspaces.adoptOrphan': later,
    'workspaces.deleteOrphan': later,
    'workspaces.importDiscovered': later,
    'workspaces.openVsCode': later,
    'workspaces.openTerminal': later,
    'workspaces.sshCommand': later,
  }
}
