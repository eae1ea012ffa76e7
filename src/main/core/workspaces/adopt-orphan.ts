import type { WorkspaceRecord, WorkspaceView } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import { WORKSPACE_ID_LABEL } from '../provision/labels'
import { workspaceIdSchema } from '../../../shared/domain/backup'
import { connectSsh } from '../ssh/connection'
import { parsePinnedHostKey } from '../ssh/host-key'
import { parseConfirmedHostKey, probeHostKey, type HostKeyProbe } from './host-key-probe'
import { watchIdle } from './idle-watch'
import { requireInteractiveHetzner } from './interactive-hetzner'
import { forget, requireOrphan } from './orphans'
import { newWorkspaceId } from './registry'
import { serverPrices } from './server-prices'
import { syncSshConfig } from './ssh-config-sync'
import type { WorkspaceContext } from './workspace-context'

/**
 * Registers an orphan server (Cairn's label, unknown here) as a running Hetzner workspace, after
 * logging into it as `dev` with this installation's key: only a server this installation created
 * (or one whose dev user trusts this key) can be adopted.
 *
 * The host key: Cairn generated it on the desktop that created the server and that desktop's
 * registry is gone, so nothing here knows it. When `hostKey` is given (confirmed by the user) it
 * is pinned as for a brought host; otherwise the key the server presents is pinned once the login
 * with the installation key has succeeded (trust on first use, see docs/workspaces.md) and its
 * fingerprint is shown with the workspace.
 */
export async function adoptOrphan(
  ctx: WorkspaceContext,
  input: { serverId: number; name: string; hostKey: string },
  signal?: AbortSignal,
): Promise<WorkspaceView> {
  if (await ctx.registry.findByName(input.name)) {
    throw new CairnError(
      'conflict',
      `A workspace named ${input.name} already exists. Choose another name.`,
    )
  }
  const client = await requireInteractiveHetzner(ctx)
  const server = await requireOrphan(
    ctx,
    await client.servers.find(input.serverId, signal),
    input.serverId,
  )
  if (server.status !== 'running' || !server.ipv4) {
    throw new CairnError(
      'conflict',
      `The server ${server.name} is ${server.status}; Cairn adopts running servers only. Start it ` +
        'in the Hetzner Cloud Console, or delete it.',
    )
  }
  const labelled = server.labels[WORKSPACE_ID_LABEL]
  const id = labelled && workspaceIdSchema.safeParse(labelled).success ? labelled : newWorkspaceId()
  const owner = await ctx.registry.get(id)
  if (owner) {
    throw new CairnError(
      'conflict',
      `The server ${server.name} was made for the workspace ${owner.name}, which has no server ` +
        'now. Delete the orphan server, then start that workspace.',
    )
  }
  const port = ctx.vmSshPort
  const presented = parseConfirmedHostKey(input.hostKey)
  const key = await ctx.installationKey.current()
  if (!key) {
    throw new CairnError(
      'unauthorized',
      'This installation has no SSH key yet, so it cannot have made this server. Delete the ' +
        'orphan, or adopt it on the desktop that created it.',
    )
  }
  try {
    const connection = await connectSsh({
      host: server.ipv4,
      port,
      username: 'dev',
      privateKey: await ctx.installationKey.privateKey(),
      hostKey: presented,
      readyTimeoutMs: 15_000,
      ...(signal ? { signal } : {}),
    })
    await connection.close()
  } catch (error) {
    if (error instanceof CairnError && error.code === 'unauthorized') {
      throw new CairnError(
        'unauthorized',
        `The server ${server.name} does not accept this installation's SSH key, so it was made by ` +
          'Cairn on another computer. Adopt it there, or delete it here.',
      )
    }
    throw error
  }
  const price = (await serverPrices(client, signal))(server.serverType, server.location)
  const pinned = parsePinnedHostKey(presented)
  if (pinned.kind !== 'key') throw new CairnError('internal', 'The host key was not read.')
  const record: WorkspaceRecord = {
    id,
    name: input.name,
    provider: 'hetzner',
    state: 'running',
    createdAt: new Date().toISOString(),
    paths: ['/home/dev'],
    excludes: [],
    includes: [],
    includeCredentials: false,
    idleTimeoutMinutes: 30,
    location: server.location,
    serverType: server.serverType,
    image: server.imageId === null ? null : String(server.imageId),
    server: {
      id: server.id,
      name: server.name,
      location: server.location,
      serverType: server.serverType,
      image: server.imageId === null ? 'unknown' : String(server.imageId),
      createdAt: server.created,
      priceHourly: price?.priceHourly ?? '0',
      priceMonthly: price?.priceMonthly ?? '0',
    },
    ssh: {
      host: server.ipv4,
      port,
      user: 'dev',
      hostKey: `${pinned.type} ${pinned.blob.toString('base64')}`,
      hostKeyFingerprint: pinned.fingerprint,
      keyId: key.id,
    },
    lastBackup: null,
    secretNames: [],
    problem: null,
    pending: null,
  }
  const added = await ctx.registry.add(record)
  forget(ctx, server.id)
  await syncSshConfig(ctx)
  watchIdle(ctx, added)
  return ctx.view(added)
}

/** The host key an orphan server presents (no login), for the user to confirm before adopting. */
export async function probeOrphanHostKey(
  ctx: WorkspaceContext,
  serverId: number,
  signal?: AbortSignal,
): Promise<HostKeyProbe> {
  const client = await requireInteractiveHetzner(ctx)
  const server = await requireOrphan(ctx, await client.servers.find(serverId, signal), serverId)
  if (server.status !== 'running' || !server.ipv4) {
    throw new CairnError(
      'conflict',
      `The server ${server.name} is ${server.status}; Cairn adopts running servers only.`,
    )
  }
  return probeHostKey({ host: server.ipv4, port: ctx.vmSshPort }, signal ? { signal } : {})
}
