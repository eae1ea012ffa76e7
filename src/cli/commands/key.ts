import { createInterface } from 'node:readline'
import { CairnError } from '../../shared/errors'
import { masterKeyId } from '../../main/core/keys/master-key-store'
import { formatRecoveryKey } from '../../main/core/keys/recovery-key'
import { openRepository, openWorkspace, rotateWorkspaceKey } from '../../main/core/repo'
import { WrongKeyError } from '../exit-codes'
import type { CommandContext, CommandOutput } from '../io'
import { keychainService, keychainStore, readKeyFile } from '../key-source'
import type { RepoOptions } from '../locations'
import { openCliRepository, openStore, resolveWorkspace } from '../repository'

const WARNING =
  'This recovery key opens every backup in your repositories. Write it down or keep it in a\n' +
  'password manager, offline from this machine. Anyone who has it and your storage can read\n' +
  'your backups; without it, they cannot be restored if this machine is lost.'

/** `cairn key status`: whether a master key is there, and its public id. */
export async function keyStatus(ctx: CommandContext): Promise<CommandOutput> {
  const file = ctx.io.env.CAIRN_MASTER_KEY_FILE
  if (file) {
    const key = await readKeyFile(file, (m) => ctx.warn(m))
    const json = { source: 'file', file, present: true, keyId: masterKeyId(key) }
    return { json, text: `Master key from CAIRN_MASTER_KEY_FILE (${file}): id ${json.keyId}.` }
  }
  const status = await keychainStore(ctx.io.env).status()
  const service = keychainService(ctx.io.env)
  const json = { source: 'keychain', service, ...status }
  const text = status.present
    ? [
        `Master key in the keychain (service "${service}"): id ${status.keyId}, ${status.origin} ${status.created}.`,
        status.recoveryShownAt
          ? `Recovery key last shown or entered ${status.recoveryShownAt}.`
          : 'Its recovery key has never been shown: run `cairn key export-recovery` and keep it safe.',
      ].join('\n')
    : `There is no master key in the keychain (service "${service}"). \`cairn repo init\` creates one; \`cairn key import-recovery\` brings one from another machine.`
  return { json, text }
}

/**
 * `cairn key export-recovery`: prints the recovery key (the only command that prints a secret),
 * with a warning on stderr. Once it has been shown, --again is needed.
 */
export async function keyExport(
  ctx: CommandContext,
  flags: { again?: boolean },
): Promise<CommandOutput> {
  const file = ctx.io.env.CAIRN_MASTER_KEY_FILE
  let recoveryKey: string
  let keyId: string
  let previouslyShownAt: string | null = null
  if (file) {
    const key = await readKeyFile(file, (m) => ctx.warn(m))
    recoveryKey = formatRecoveryKey(key)
    keyId = masterKeyId(key)
  } else {
    const exported = await keychainStore(ctx.io.env).exportRecovery({ again: flags.again ?? false })
    ;({ recoveryKey, keyId, previouslyShownAt } = exported)
  }
  ctx.warn(WARNING)
  return {
    json: { recoveryKey, keyId, previouslyShownAt },
    text: recoveryKey,
  }
}

export interface ImportFlags extends RepoOptions {
  replace?: boolean
}

/**
 * `cairn key import-recovery`: reads a recovery key (or 64 hex digits) from stdin, checks it,
 * and stores it in the keychain. With --repo, the key must open that repository first.
 */
export async function keyImport(ctx: CommandContext, flags: ImportFlags): Promise<CommandOutput> {
  const text = await readSecretInput(ctx)
  const store = keychainStore(ctx.io.env)
  let checked = false
  const repoGiven = flags.repo !== undefined || ctx.io.env.CAIRN_REPO !== undefined
  const result = await store.importRecovery(text, {
    replace: flags.replace ?? false,
    check: async (key) => {
      if (!repoGiven) return
      const opened = openStore(ctx, flags)
      try {
        await openRepository(opened.store, key, { signal: ctx.signal })
        checked = true
      } catch (error) {
        if (error instanceof CairnError && error.code === 'unauthorized') {
          throw new WrongKeyError(
            new CairnError(
              'unauthorized',
              `This recovery key does not open the repository at ${opened.location.label}; nothing was stored.`,
            ),
          )
        }
        if (error instanceof CairnError && error.code === 'conflict') throw new WrongKeyError(error)
        throw error
      } finally {
        opened.close()
      }
    },
  })
  const service = keychainService(ctx.io.env)
  const json = { ...result, service, checkedAgainstRepository: checked }
  const lines = [
    result.unchanged
      ? `The keychain (service "${service}") already holds this master key (id ${result.keyId}).`
      : `Stored the master key (id ${result.keyId}) in the keychain (service "${service}").`,
  ]
  if (checked) lines.push('It opens the repository.')
  if (result.replacedKeyId) {
    lines.push(
      `The previous key (id ${result.replacedKeyId}) is kept in the keychain as "master-key.replaced.${result.replacedKeyId}".`,
    )
  }
  return { json, text: lines.join('\n') }
}

/** The recovery key from stdin: prompted for on a terminal, else the whole input. */
async function readSecretInput(ctx: CommandContext): Promise<string> {
  const { stdin } = ctx.io
  if (stdin.isTTY) {
    ctx.io.stderr.write('Recovery key: ')
    const rl = createInterface({ input: stdin, terminal: false })
    try {
      const line = await new Promise<string>((resolve, reject) => {
        rl.once('line', resolve)
        rl.once('close', () => resolve(''))
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true })
      })
      return line
    } finally {
      rl.close()
    }
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stdin) {
    size += (chunk as Buffer).length
    if (size > 64 * 1024)
      throw new CairnError('invalid_input', 'The input is too long for a recovery key.')
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (!text) {
    throw new CairnError(
      'invalid_input',
      'Give the recovery key on stdin, e.g. `cairn key import-recovery < recovery.txt`, or run it in a terminal to type it.',
    )
  }
  return text
}

export interface RotateFlags extends RepoOptions {
  workspace?: string
}

/**
 * `cairn key rotate --workspace ID`: a new data key version for one workspace. Backups from now
 * on use it (the first one uploads everything again); older restore points keep reading with
 * their own versions. One create-only PUT: an interrupted rotation leaves either no new key file
 * or a complete one, and both are fine.
 */
export async function keyRotateWorkspace(
  ctx: CommandContext,
  flags: RotateFlags,
): Promise<CommandOutput> {
  const opened = await openCliRepository(ctx, flags)
  try {
    const id = await resolveWorkspace(opened.repo, flags.workspace, ctx.signal)
    const workspace = await openWorkspace(opened.repo, id, { signal: ctx.signal })
    const previous = workspace.keys.current.version
    const keyVersion = await rotateWorkspaceKey(workspace)
    return {
      json: { workspace: id, keyVersion, previousKeyVersion: previous },
      text: `Workspace ${id} now writes with key version ${keyVersion} (was ${previous}). The next backup uploads everything again; older restore points stay readable.`,
    }
  } finally {
    opened.close()
  }
}
