import type { WorkspaceRecord } from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import { ownClientOf } from '../idle/ssh-idle-probe'
import { secretAccounts } from '../secrets/secret-store'
import { connectSsh, type SshConnection } from '../ssh/connection'
import { shellQuote, shScript } from '../ssh/shell-quote'
import type { WorkspaceContext } from './workspace-context'

/** Where the secrets go on the VM, relative to dev's home (0600, in a 0700 folder). */
export const SECRETS_FILE = '.config/cairn/env'

/** The line that makes login shells and bash (interactive or not) read the secrets file. */
const HOOK_MARK = '# cairn: workspace secrets'
const HOOK = `[ -r "$HOME/${SECRETS_FILE}" ] && . "$HOME/${SECRETS_FILE}" ${HOOK_MARK}`

/**
 * The file's content: `export NAME='value'` lines. Values go to the VM on stdin, never on a
 * command line (visible in the process list) or in user_data.
 */
function envFile(secrets: Array<{ name: string; value: string }>): Buffer {
  const lines = secrets.map((s) =>
    Buffer.concat([Buffer.from(`export ${s.name}=`), shellQuote(s.value), Buffer.from('\n')]),
  )
  return Buffer.concat([
    Buffer.from('# Written by Cairn after each start; change secrets in Cairn, not here.\n'),
    ...lines,
  ])
}

// Atomic (temp file in the same folder, then rename), 0600 from the start (umask), and the hook
// added once at the top of ~/.bashrc (before Ubuntu's "not interactive: return") and ~/.profile.
const WRITE_SCRIPT =
  'set -e; umask 077; cd; mkdir -p .config/cairn; chmod 700 .config/cairn; ' +
  't=$(mktemp .config/cairn/.env.XXXXXX); cat > "$t"; chmod 600 "$t"; mv -f "$t" "$1"; ' +
  'for f in .bashrc .profile; do ' +
  'if ! grep -qF -- "$3" "$f" 2>/dev/null; then ' +
  '{ printf "%s\\n" "$2"; cat "$f" 2>/dev/null || true; } > "$f.cairn-tmp"; ' +
  'chmod 644 "$f.cairn-tmp"; mv -f "$f.cairn-tmp" "$f"; fi; done'

/** Writes every secret of the workspace into the file on the VM (an empty file when none). */
export async function writeSecrets(
  ctx: WorkspaceContext,
  record: WorkspaceRecord,
  connection: SshConnection,
  signal?: AbortSignal,
): Promise<void> {
  const secrets: Array<{ name: string; value: string }> = []
  for (const name of record.secretNames) {
    const value = await ctx.s.secrets.get(secretAccounts.workspaceSecret(record.id, name))
    if (value !== null) secrets.push({ name, value })
  }
  const result = await connection.run(shScript(WRITE_SCRIPT, [SECRETS_FILE, HOOK, HOOK_MARK]), {
    stdin: envFile(secrets),
    maxOutputBytes: 64 * 1024,
    ...(signal ? { signal } : {}),
  })
  if (result.code !== 0) {
    // stderr may name paths, never values (they went to stdin); keep it out of the message anyway.
    throw new CairnError(
      'remote_error',
      `Cairn could not write the workspace's secrets to ~/${SECRETS_FILE} on ${connection.label}.`,
    )
  }
}

/**
 * Writes the secrets to a running workspace now (after secrets.set/delete), over a connection of
 * its own that the idle monitor knows is Cairn's.
 */
export async function pushSecrets(ctx: WorkspaceContext, record: WorkspaceRecord): Promise<void> {
  if (record.state !== 'running' || record.ssh === null) return
  const ssh = record.ssh
  const credentials = await ctx.backup.sshKeys.get(ssh.keyId)
  const connection = await connectSsh({
    host: ssh.host,
    port: ssh.port,
    username: ssh.user,
    privateKey: credentials.privateKey,
    ...(credentials.passphrase === undefined ? {} : { passphrase: credentials.passphrase }),
    hostKey: ssh.hostKey,
    label: `the workspace ${record.name}`,
    readyTimeoutMs: 20_000,
  })
  let release = () => {}
  try {
    const client = await ownClientOf(connection).catch(() => null)
    if (client) release = ctx.idle.addOwnConnection(record.id, client)
    await writeSecrets(ctx, record, connection, AbortSignal.timeout(60_000))
  } finally {
    release()
    await connection.close()
  }
}

export async function listSecrets(ctx: WorkspaceContext, id: string): Promise<string[]> {
  return [...(await ctx.registry.require(id)).secretNames].sort()
}

/** Keeps the value in the keychain, the name in the registry, then writes them to the VM if up. */
export async function setSecret(
  ctx: WorkspaceContext,
  id: string,
  name: string,
  value: string,
): Promise<string[]> {
  await ctx.registry.require(id)
  await ctx.s.secrets.set(secretAccounts.workspaceSecret(id, name), value)
  const record = await ctx.registry.update(id, (r) => {
    if (!r.secretNames.includes(name)) r.secretNames.push(name)
  })
  await pushOrExplain(ctx, record)
  return [...record.secretNames].sort()
}

/** The change is kept either way; a VM that cannot be reached now gets it at the next start. */
async function pushOrExplain(ctx: WorkspaceContext, record: WorkspaceRecord): Promise<void> {
  try {
    await pushSecrets(ctx, record)
  } catch (error) {
    const reason = error instanceof CairnError ? error.message : 'an unexpected problem'
    throw new CairnError(
      error instanceof CairnError ? error.code : 'internal',
      `The change is saved in the keychain, but Cairn could not write it to ${record.name} now ` +
        `(${reason}). It is written at the next start, or try again.`,
    )
  }
}

export async function deleteSecret(
  ctx: WorkspaceContext,
  id: string,
  name: string,
): Promise<string[]> {
  await ctx.registry.require(id)
  const record = await ctx.registry.update(id, (r) => {
    r.secretNames = r.secretNames.filter((n) => n !== name)
  })
  await ctx.s.secrets.delete(secretAccounts.workspaceSecret(id, name))
  await pushOrExplain(ctx, record)
  return [...record.secretNames].sort()
}

/** Removes every secret value of a workspace from the keychain (for workspaces.delete). */
export async function forgetSecrets(ctx: WorkspaceContext, record: WorkspaceRecord): Promise<void> {
  for (const name of record.secretNames) {
    await ctx.s.secrets.delete(secretAccounts.workspaceSecret(record.id, name))
  }
}

/**
 * A backup rule (relative to the home folder) for the secrets file: Cairn writes it after each
 * start from the keychain, so restore points need not (and should not) keep the values.
 */
export const SECRETS_FILE_EXCLUDE = `/${SECRETS_FILE}`
