import { isAbsolute } from 'node:path'
import type { WorkspaceOptions } from './workspace-context'

/**
 * Workspace options a host takes from its environment:
 * - CAIRN_VM_SSH_PORT: the SSH port of the servers Cairn creates (22 on Hetzner; the local
 *   cloud's fake VMs may listen elsewhere, see docs/local-cloud.md);
 * - CAIRN_SSH_CONFIG: the ssh config whose managed block Cairn keeps (default ~/.ssh/config), so
 *   the demo and tests leave the user's own file alone.
 * A port that is not a number and a relative path are ignored.
 */
export function workspaceOptionsFromEnv(env: NodeJS.ProcessEnv): WorkspaceOptions {
  const options: WorkspaceOptions = {}
  const raw = env.CAIRN_VM_SSH_PORT?.trim()
  if (raw && /^\d{1,5}$/.test(raw)) {
    const port = Number(raw)
    if (port >= 1 && port <= 65535) options.vmSshPort = port
  }
  const config = env.CAIRN_SSH_CONFIG?.trim()
  if (config && isAbsolute(config)) options.sshConfigPath = config
  return options
}
