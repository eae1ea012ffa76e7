import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import type { SshKeyView } from '../../../shared/domain/backup'
import { CairnError } from '../../../shared/errors'
import { atomicWriteFile } from '../fs/atomic-write'
import type { SshKeyStore } from './ssh-key-store'

/** Which SshKeyStore entry is the installation's key. Not secret. */
export const INSTALLATION_KEY_FILE = 'installation-ssh-key.json'
export const INSTALLATION_KEY_NAME = 'cairn-installation'

const fileSchema = z.object({ schemaVersion: z.literal(1), keyId: z.string() })

/**
 * The one ed25519 key pair of this Cairn installation: Cairn logs into every server it creates
 * with it (the dev user's authorized_keys). It is an ordinary SshKeyStore entry, so the private
 * key lives only in the keychain (`ssh-key:<id>`) and the key shows up in the list of SSH keys;
 * `<dataDir>/installation-ssh-key.json` records which entry it is.
 *
 * Deleting that entry locks Cairn out of the servers that trust it (they can still be deleted, and
 * restore points are unaffected); callers offering "delete key" should refuse this one.
 */
export class InstallationSshKey {
  private readonly path: string
  private pending: Promise<SshKeyView> | null = null

  constructor(
    dataDir: string,
    private readonly keys: SshKeyStore,
  ) {
    this.path = join(dataDir, INSTALLATION_KEY_FILE)
  }

  /** The key if it was created and still exists, else null. Creates nothing. */
  async current(): Promise<SshKeyView | null> {
    const id = await this.recordedId()
    if (id === null) return null
    return (await this.keys.list()).find((k) => k.id === id) ?? null
  }

  /** The key, created on first use (one creation even when called concurrently). */
  ensure(): Promise<SshKeyView> {
    this.pending ??= this.currentOrCreate().finally(() => {
      this.pending = null
    })
    return this.pending
  }

  /** The private key (OpenSSH format) from the keychain. */
  async privateKey(): Promise<string> {
    const key = await this.current()
    if (key === null) {
      throw new CairnError(
        'not_found',
        "This installation's SSH key is missing from the keychain, so Cairn cannot log into the servers it created. Create workspaces again from restore points.",
      )
    }
    return (await this.keys.get(key.id)).privateKey
  }

  /** Id and the ids' file are written only after the keychain holds the key. */
  private async currentOrCreate(): Promise<SshKeyView> {
    const existing = await this.current()
    if (existing !== null) return existing
    const created = await this.keys.generate(INSTALLATION_KEY_NAME)
    await atomicWriteFile(
      this.path,
      `${JSON.stringify({ schemaVersion: 1, keyId: created.id }, null, 1)}\n`,
    )
    return created
  }

  private async recordedId(): Promise<string | null> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
    const parsed = fileSchema.safeParse(safeJson(text))
    if (!parsed.success) {
      throw new CairnError(
        'internal',
        `${INSTALLATION_KEY_FILE} in Cairn's data folder is not readable by this version; Cairn leaves it as it is.`,
      )
    }
    return parsed.data.keyId
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}
