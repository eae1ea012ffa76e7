import type { WorkspaceOptions } from './workspace-context'

/**
 * Workspace options a host takes from its environment: CAIRN_VM_SSH_PORT, the SSH port of the
 * servers Cairn creates (22 on Hetzner; the local cloud's fake VMs may listen elsewhere, see
 * docs/local-cloud.md). Anything but a port number is ignored.
 */
export function workspaceOptionsFromEnv(env: NodeJS.ProcessEnv): WorkspaceOptions {
  const raw = env.CAIRN_VM_SSH_PORT?.trim()
  if (!raw || !/^\d{1,5}$/.test(raw)) return {}
  const port = Number(raw)
  return port >= 1 && port <= 65535 ? { vmSshPort: port } : {}
}
