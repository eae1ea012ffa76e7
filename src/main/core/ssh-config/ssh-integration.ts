import { chmod, mkdir, readdir, readFile, realpath, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { CairnError } from '../../../shared/errors'
import { atomicWriteFile } from '../fs/atomic-write'
import { renderKnownHosts } from './known-hosts'
import { applyBlock, renderBlock } from './managed-block'

export interface SshIntegrationPaths {
  /** The user's ssh config, normally ~/.ssh/config (tests pass a temp path). */
  sshConfig: string
  /** Cairn's own SSH folder, `<dataDir>/ssh`: the identity file and known_hosts. */
  cairnSshDir: string
  platform?: NodeJS.Platform
}

/** One running workspace as `ssh cairn-<name>` reaches it. */
export interface ManagedHost {
  alias: string
  hostName: string
  port: number
  /** Default `dev`. */
  user?: string
  /** The pinned host key, `ssh-ed25519 AAAA...`. */
  hostKey: string
  /**
   * A key of its own (a host the user brought, logged into with one of their keys): written to
   * `<cairnSshDir>/identity-<keyId>`. Default: the installation's key.
   */
  identity?: { keyId: string; privateKey: string }
}

export const IDENTITY_FILE_NAME = 'id_ed25519'
export const KNOWN_HOSTS_FILE_NAME = 'known_hosts'
/** Per-key identity files of hosts with a key of their own: `identity-<keyId>`. */
export const HOST_IDENTITY_PREFIX = 'identity-'
const KEY_ID = /^[a-z0-9-]{1,64}$/

/**
 * Makes `ssh cairn-<name>` and VS Code Remote-SSH work for running workspaces:
 * - `<cairnSshDir>/id_ed25519`: the installation's private key, 0600 in a 0700 folder, present
 *   only while at least one host uses it (OpenSSH needs a file; the keychain stays the master);
 * - `<cairnSshDir>/identity-<keyId>`: the same for each key of a host the user brought;
 * - `<cairnSshDir>/known_hosts`: the pinned host keys under each HostKeyAlias;
 * - Cairn's block in the ssh config (see managed-block.ts), everything else in it untouched.
 * Operations run one at a time.
 */
export class SshIntegration {
  readonly identityFile: string
  readonly knownHostsFile: string
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly paths: SshIntegrationPaths) {
    this.identityFile = join(paths.cairnSshDir, IDENTITY_FILE_NAME)
    this.knownHostsFile = join(paths.cairnSshDir, KNOWN_HOSTS_FILE_NAME)
  }

  /** Where a host's own key goes (see ManagedHost.identity). */
  hostIdentityFile(keyId: string): string {
    if (!KEY_ID.test(keyId)) throw new CairnError('invalid_input', `"${keyId}" is not a key id.`)
    return join(this.paths.cairnSshDir, `${HOST_IDENTITY_PREFIX}${keyId}`)
  }

  /**
   * Lists exactly `hosts` (none: everything removed, see `removeAll`). `privateKey` is the
   * installation's key (InstallationSshKey.privateKey()); null when every host has its own
   * identity (then no id_ed25519 is written).
   */
  sync(hosts: ManagedHost[], privateKey: string | null): Promise<void> {
    if (hosts.length === 0) return this.removeAll()
    return this.serial(async () => {
      const own = new Map<string, string>()
      for (const h of hosts) {
        if (h.identity) own.set(this.hostIdentityFile(h.identity.keyId), h.identity.privateKey)
      }
      const needsInstallationKey = hosts.some((h) => !h.identity)
      if (needsInstallationKey && privateKey === null) {
        throw new CairnError('internal', "The installation's SSH key is needed for the SSH config.")
      }
      const lines = renderBlock(
        hosts.map((h) => ({
          alias: h.alias,
          hostName: h.hostName,
          port: h.port,
          user: h.user ?? 'dev',
          ...(h.identity ? { identityFile: this.hostIdentityFile(h.identity.keyId) } : {}),
        })),
        {
          identityFile: this.identityFile,
          knownHostsFile: this.knownHostsFile,
          platform: this.paths.platform,
        },
      )
      // The config is handled as latin1 (one char per byte) so bytes Cairn does not own survive
      // even when they are not UTF-8; the block's own text (paths may be non-ASCII) is UTF-8.
      const raw = lines.map((l) => Buffer.from(l, 'utf8').toString('latin1'))
      const knownHosts = renderKnownHosts(
        hosts.map((h) => ({ alias: h.alias, hostKey: h.hostKey })),
      )
      const edit = (text: string | null) => applyBlock(text, raw)
      // A config Cairn will refuse to edit stops everything before a key file is written.
      edit(await readOrNull(await realpath(this.paths.sshConfig).catch(() => this.paths.sshConfig)))
      await privateDir(this.paths.cairnSshDir)
      if (needsInstallationKey && privateKey !== null) {
        await writePrivate(this.identityFile, withNewline(privateKey))
      }
      for (const [file, key] of own) await writePrivate(file, withNewline(key))
      await writePrivate(this.knownHostsFile, knownHosts)
      await editConfig(this.paths.sshConfig, edit)
      // Key files no listed host uses any more go only after the config stopped naming them.
      if (!needsInstallationKey) await rm(this.identityFile, { force: true })
      await this.removeHostIdentities(new Set(own.keys()))
    })
  }

  /** Removes Cairn's block from the ssh config, then the identity file and known_hosts. */
  removeAll(): Promise<void> {
    return this.serial(async () => {
      await editConfig(this.paths.sshConfig, (text) => applyBlock(text, null))
      await rm(this.identityFile, { force: true })
      await this.removeHostIdentities(new Set())
      await rm(this.knownHostsFile, { force: true })
    })
  }

  private async removeHostIdentities(keep: Set<string>): Promise<void> {
    let names: string[]
    try {
      names = await readdir(this.paths.cairnSshDir)
    } catch {
      return
    }
    for (const name of names) {
      const file = join(this.paths.cairnSshDir, name)
      if (name.startsWith(HOST_IDENTITY_PREFIX) && !keep.has(file)) await rm(file, { force: true })
    }
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const result = this.queue.then(fn, fn)
    this.queue = result.catch(() => {})
    return result
  }
}

function withNewline(key: string): string {
  return key.endsWith('\n') ? key : `${key}\n`
}

async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  // An existing folder may have been made with a wider mode; this one holds a private key.
  await chmod(dir, 0o700)
}

async function writePrivate(path: string, data: string): Promise<void> {
  await atomicWriteFile(path, data, { mode: 0o600 })
  await chmod(path, 0o600)
}

/**
 * Rewrites the ssh config through `change` (text or null → text or null) atomically. A symlinked
 * config (dotfile managers) is written at its target, so the link survives. The file keeps its
 * mode; a new one is 0600 in a ~/.ssh that, if Cairn creates it, is 0700. If the file changes
 * between reading and writing (an editor saving), Cairn reads it again.
 */
async function editConfig(
  path: string,
  change: (text: string | null) => string | null,
): Promise<void> {
  const target = await realpath(path).catch(() => path)
  for (let attempt = 0; attempt < 3; attempt++) {
    const before = await readOrNull(target)
    const next = change(before)
    if (next === before || next === null) return
    let mode = 0o600
    if (before === null) {
      await ensureSshDir(dirname(target))
    } else {
      mode = (await stat(target)).mode & 0o7777
    }
    if ((await readOrNull(target)) !== before) continue
    await atomicWriteFile(target, Buffer.from(next, 'latin1'), { mode })
    await chmod(target, mode)
    return
  }
  throw new CairnError(
    'conflict',
    'Your SSH config kept changing while Cairn was updating it. Try again in a moment.',
  )
}

async function ensureSshDir(dir: string): Promise<void> {
  try {
    await stat(dir)
  } catch {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    await chmod(dir, 0o700)
  }
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'latin1')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}
