import { writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { createInterface } from 'node:readline'
import { CairnError } from '../../shared/errors'
import { masterKeyId } from '../../main/core/keys/master-key-store'
import { generateMasterKey } from '../../main/core/keys/master-key'
import { formatRecoveryKey } from '../../main/core/keys/recovery-key'
import { rotateMasterKey } from '../../main/core/repo/repository/rotate-master'
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

export interface RotateMasterFlags extends RepoOptions {
  newKeyFile?: string
}

/**
 * `cairn key rotate-master`: a new master key re-wraps every workspace key of the repository;
 * the old recovery key stops working and the new one is printed (once). With the keychain, the
 * new key is stored there as pending before the repository is touched and becomes the master key
 * at the end (the old one is kept as "master-key.replaced.<id>"). With CAIRN_MASTER_KEY_FILE,
 * the new key is written to --new-key-file first (never overwriting a different file) and the
 * old file is left as it is. Interrupted, the same command finishes the rotation.
 */
export async function keyRotateMaster(
  ctx: CommandContext,
  flags: RotateMasterFlags,
): Promise<CommandOutput> {
  const file = ctx.io.env.CAIRN_MASTER_KEY_FILE
  const opened = openStore(ctx, flags)
  try {
    let oldKey: Uint8Array
    let newKey: Uint8Array
    let finish: () => Promise<{ previousKeyId: string; stored: string }>
    if (file) {
      if (!flags.newKeyFile) {
        throw new CairnError(
          'invalid_input',
          'The master key comes from CAIRN_MASTER_KEY_FILE: give --new-key-file <path> for the new key (a file that does not exist yet, or the one an interrupted rotation wrote).',
        )
      }
      oldKey = await readKeyFile(file, (m) => ctx.warn(m))
      newKey = await newKeyInFile(flags.newKeyFile, oldKey)
      const previousKeyId = masterKeyId(oldKey)
      const target = flags.newKeyFile
      finish = async () => ({
        previousKeyId,
        stored: `in ${target} (point CAIRN_MASTER_KEY_FILE at it; ${file} holds the old key, which no longer opens the repository)`,
      })
    } else {
      const store = keychainStore(ctx.io.env)
      ;({ oldKey, newKey } = await store.beginRotation())
      finish = async () => ({
        previousKeyId: (await store.completeRotation(newKey)).previousKeyId,
        stored: `in the keychain (service "${keychainService(ctx.io.env)}"); the old key is kept as "master-key.replaced.${masterKeyId(oldKey)}"`,
      })
    }
    let rewrapped: number
    try {
      ;({ rewrapped } = await rotateMasterKey(opened.store, oldKey, newKey, {
        host: hostname(),
        signal: ctx.signal,
      }))
    } catch (error) {
      if (error instanceof CairnError && error.code === 'unauthorized')
        throw new WrongKeyError(error)
      throw error
    }
    const { previousKeyId, stored } = await finish()
    const recoveryKey = formatRecoveryKey(newKey)
    const keyId = masterKeyId(newKey)
    ctx.warn(
      `The master key of ${opened.location.label} was rotated (${rewrapped} objects re-wrapped); the old recovery key no longer opens it. The new key is stored ${stored}. Other machines need the new recovery key (\`cairn key import-recovery --replace\`).`,
    )
    ctx.warn(WARNING)
    return { json: { recoveryKey, keyId, previousKeyId, rewrapped }, text: recoveryKey }
  } finally {
    opened.close()
  }
}

/** The new key for a file-based rotation: created exclusively, or read back to resume. */
async function newKeyInFile(path: string, oldKey: Uint8Array): Promise<Uint8Array> {
  const key = generateMasterKey()
  try {
    await writeFile(path, `${Buffer.from(key).toString('hex')}\n`, { mode: 0o600, flag: 'wx' })
    return key
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const existing = await readKeyFile(path).catch(() => null)
  if (!existing || Buffer.from(existing).equals(Buffer.from(oldKey))) {
    throw new CairnError(
      'conflict',
      `${path} already exists and is not the new key of an interrupted rotation; Cairn does not overwrite it. Give a path that does not exist.`,
    )
  }
  return existing
}
