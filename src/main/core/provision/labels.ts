import { CairnError } from '../../../shared/errors'
import { isValidLabelValue } from '../hetzner/labels'

/** What every server Cairn creates carries, so it can be found (and its cost shown) from Hetzner. */
export const MANAGED_BY_LABEL = 'managed-by'
export const MANAGED_BY_VALUE = 'cairn'
export const WORKSPACE_ID_LABEL = 'workspace-id'

/** `managed-by=cairn` plus `workspace-id=<id>`; the id must be a valid Hetzner label value. */
export function cairnServerLabels(workspaceId: string): Record<string, string> {
  if (workspaceId === '' || !isValidLabelValue(workspaceId)) {
    throw new CairnError(
      'invalid_input',
      `The workspace id "${workspaceId}" cannot be a Hetzner label value (1 to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit).`,
    )
  }
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [WORKSPACE_ID_LABEL]: workspaceId }
}

/** Selects every server Cairn created (for reconciling and for orphans). */
export const CAIRN_SERVERS_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`
