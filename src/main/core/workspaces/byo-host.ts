import type { WorkspaceRecord, WorkspaceView } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import { connectSsh, type SshConnection } from '../ssh/connection'
import { parsePinnedHostKey } from '../ssh/host-key'
import { shScript } from '../ssh/shell-quote'
import { checkBackupRules } from './backup-rules'
import { parseConfirmedHostKey } from './host-key-probe'
import { newWorkspaceId } from './registry'
import { watchIdle } from './idle-watch'
import { syncSshConfig } from './ssh-config-sync'
import type { WorkspaceContext } from './workspace-context'

export interface AdoptSshInput {
  name: string
  host: string
  port: number
  user: string
  keyId: string
  /** The host key the user confirmed (from probeHostKey): pinned, never trusted on first use. */
  hostKey: string
  paths: string[]
  excludes: string[]
  includes: string[]
  includeCredentials: boolean
}

/**
 * Registers a machine the user already has as a workspace (provider 'ssh'): Cairn logs in with the
 * chosen key against the confirmed host key first, and checks the paths exist. Stop, start and
 * delete never touch such a machine; backups, restore, idle detection and `ssh cairn-<name>` work.
 */
export async function adoptSshHost(
  ctx: WorkspaceContext,
  input: AdoptSshInput,
  signal?: AbortSignal,
): Promise<WorkspaceView> {
  if (await ctx.registry.findByName(input.name)) {
    throw new CairnError(
      'conflict',
      `A workspace named ${input.name} already exists. Choose another name.`,
    )
  }
  const hostKey = parseConfirmedHostKey(input.hostKey)
  checkBackupRules([...input.excludes, ...input.includes])
  const keys = await ctx.backup.sshKeys.list()
  const key = keys.find((k) => k.id === input.keyId)
  if (!key) {
    throw new CairnError('not_found', 'There is no such SSH key. Choose one from your SSH keys.')
  }
  const credentials = await ctx.backup.sshKeys.get(input.keyId)
  ctx.s.known.add(credentials.passphrase)
  const label = input.port === 22 ? input.host : `${input.host}:${input.port}`
  let connection: SshConnection
  try {
    connection = await connectSsh({
      host: input.host,
      port: input.port,
      username: input.user,
      privateKey: credentials.privateKey,
      ...(credentials.passphrase === undefined ? {} : { passphrase: credentials.passphrase }),
      hostKey,
      readyTimeoutMs: 15_000,
      ...(signal ? { signal } : {}),
    })
  } catch (error) {
    if (error instanceof CairnError && error.code === 'unauthorized') {
      throw new CairnError(
        'unauthorized',
        `${label} refused the key "${key.name}" for the user ${input.user}. Add its public key ` +
          `(${key.publicKey.split(/\s+/).slice(0, 2).join(' ')}) to ~${input.user}/.ssh/authorized_keys ` +
          'on that machine, or choose the key that is there.',
      )
    }
    throw error
  }
  try {
    const missing = await missingPaths(connection, input.paths, signal)
    if (missing.length > 0) {
      throw new CairnError(
        'invalid_input',
        `These folders do not exist on ${label}: ${missing.join(', ')}. Create them or choose others.`,
      )
    }
  } finally {
    await connection.close()
  }
  const pinned = parsePinnedHostKey(hostKey)
  const record: WorkspaceRecord = {
    id: newWorkspaceId(),
    name: input.name,
    provider: 'ssh',
    state: 'running',
    createdAt: new Date().toISOString(),
    paths: input.paths,
    excludes: input.excludes,
    includes: input.includes,
    includeCredentials: input.includeCredentials,
    idleTimeoutMinutes: null,
    location: null,
    serverType: null,
    image: null,
    server: null,
    ssh: {
      host: input.host,
      port: input.port,
      user: input.user,
      hostKey,
      hostKeyFingerprint: pinned.fingerprint,
      keyId: input.keyId,
    },
    lastBackup: null,
    secretNames: [],
    problem: null,
    pending: null,
  }
  const added = await ctx.registry.add(record)
  await syncSshConfig(ctx)
  // Its activity is shown like any workspace's; with no timeout it is never stopped.
  watchIdle(ctx, added)
  return ctx.view(added)
}

/** The paths that are not there (as the user logs in: their permissions apply). */
async function missingPaths(
  connection: SshConnection,
  paths: readonly string[],
  signal?: AbortSignal,
): Promise<string[]> {
  const result = await connection.run(
    shScript('for p in "$@"; do [ -e "$p" ] || printf "%s\\0" "$p"; done', paths),
    signal ? { signal } : {},
  )
  if (result.code !== 0) {
    throw new CairnError('remote_error', 'Cairn could not check the folders on that machine.')
  }
  return result.stdout
    .toString('utf8')
    .split('\0')
    .filter((p) => p !== '')
}
