import type { SshConnection } from '../ssh/connection'
import { shScript } from '../ssh/shell-quote'

export interface OwnerNames {
  users: ReadonlyMap<number, string>
  groups: ReadonlyMap<number, string>
}

/**
 * User and group names on the VM, read once per listing instead of once per file (find's %u/%g
 * look each one up). getent also covers NSS sources; where it cannot enumerate (LDAP with
 * enumeration off), ids without a local name stay numeric.
 */
export async function fetchOwnerNames(
  conn: SshConnection,
  signal?: AbortSignal,
): Promise<OwnerNames> {
  const script =
    '{ getent passwd || cat /etc/passwd; } 2>/dev/null; echo cairn-groups; ' +
    '{ getent group || cat /etc/group; } 2>/dev/null; exit 0'
  const result = await conn.run(shScript(script), {
    maxOutputBytes: 32 * 1024 * 1024,
    ...(signal ? { signal } : {}),
  })
  const users = new Map<number, string>()
  const groups = new Map<number, string>()
  let target = users
  for (const line of result.stdout.toString('utf8').split('\n')) {
    if (line === 'cairn-groups') {
      target = groups
      continue
    }
    const fields = line.split(':')
    const name = fields[0]
    const id = Number(fields[2])
    // The first entry for an id wins, as with getpwuid.
    if (name && Number.isSafeInteger(id) && !target.has(id)) target.set(id, name)
  }
  return { users, groups }
}
