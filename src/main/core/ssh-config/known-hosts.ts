import { parsePinnedHostKey } from '../ssh/host-key'
import { assertHostAlias } from './host-alias'

export interface KnownHost {
  /** The HostKeyAlias, `cairn-<name>`: ssh looks the key up under it, whatever the address. */
  alias: string
  /** `ssh-ed25519 AAAA...` */
  hostKey: string
}

/**
 * Cairn's own known_hosts: one line per workspace under its HostKeyAlias. Cairn writes the whole
 * file; the user's ~/.ssh/known_hosts is never touched. Because entries are keyed by alias, not by
 * address, a new server at a reused IP address never meets a stale key, and a workspace started on
 * a new server only needs its line replaced.
 */
export function renderKnownHosts(hosts: KnownHost[]): string {
  const lines = ['# Host keys of your Cairn workspaces. Cairn rewrites this file.']
  for (const h of [...hosts].sort((a, b) => a.alias.localeCompare(b.alias))) {
    assertHostAlias(h.alias)
    const key = parsePinnedHostKey(h.hostKey)
    if (key.kind !== 'key') throw new TypeError('known_hosts needs the host key itself')
    lines.push(`${h.alias} ${key.type} ${key.blob.toString('base64')}`)
  }
  return lines.join('\n') + '\n'
}
