import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import { generateEd25519KeyPair } from '../ssh/ed25519-key'
import { z } from 'zod'
import { CairnError } from '../../../shared/errors'
import type { SshKeyView } from '../../../shared/domain/backup'
import { atomicWriteFile } from '../fs/atomic-write'
import { secretAccounts, type SecretStore } from '../secrets/secret-store'
import { fingerprintOf } from '../ssh/host-key'

export const SSH_KEYS_FILE = 'ssh-keys.json'
export const sshKeyAccount = secretAccounts.sshKey

const fileSchema = z.object({
  schemaVersion: z.literal(1),
  keys: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      publicKey: z.string(),
      fingerprint: z.string(),
      created: z.string(),
    }),
  ),
})

/** What the keychain item `ssh-key:<id>` holds. */
interface StoredPrivateKey {
  privateKey: string
  passphrase?: string
}

export interface SshCredentials {
  privateKey: string
  passphrase?: string
}

/**
 * SSH keys Cairn logs in with. The private key lives only in the keychain (`ssh-key:<id>`); the
 * list with names and public keys (nothing secret) is `<dataDir>/ssh-keys.json`. A private key
 * never crosses the API: the core generates it, or reads it from a file path the user chose.
 */
export class SshKeyStore {
  private readonly path: string
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    dataDir: string,
    private readonly secrets: SecretStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.path = join(dataDir, SSH_KEYS_FILE)
  }

  async list(): Promise<SshKeyView[]> {
    return (await this.read()).keys
  }

  /** A new ed25519 key; its public key goes into the host's authorized_keys. */
  generate(name: string): Promise<SshKeyView> {
    const pair = generateEd25519KeyPair(`cairn:${name}`)
    return this.add(name, { privateKey: pair.privateKey })
  }

  /** Reads a private key file on this machine (OpenSSH or PEM) and keeps it in the keychain. */
  async importFile(name: string, path: string, passphrase?: string): Promise<SshKeyView> {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      throw new CairnError(
        code === 'ENOENT' ? 'not_found' : 'invalid_input',
        code === 'ENOENT' ? `There is no file ${path}.` : `Cairn cannot read ${path} (${code}).`,
      )
    }
    return this.add(
      name,
      passphrase === undefined ? { privateKey: text } : { privateKey: text, passphrase },
    )
  }

  async get(id: string): Promise<SshCredentials> {
    const raw = await this.secrets.get(sshKeyAccount(id))
    if (raw === null) {
      throw new CairnError('not_found', 'There is no such SSH key in the keychain. Add it again.')
    }
    const stored = JSON.parse(raw) as StoredPrivateKey
    return stored.passphrase === undefined
      ? { privateKey: stored.privateKey }
      : { privateKey: stored.privateKey, passphrase: stored.passphrase }
  }

  async delete(id: string): Promise<void> {
    await this.change(async (keys) => {
      await this.secrets.delete(sshKeyAccount(id))
      return keys.filter((k) => k.id !== id)
    })
  }

  private async add(name: string, stored: StoredPrivateKey): Promise<SshKeyView> {
    const parsed = ssh2.utils.parseKey(stored.privateKey, stored.passphrase)
    if (parsed instanceof Error || Array.isArray(parsed)) {
      const encrypted = parsed instanceof Error && /passphrase|encrypted/i.test(parsed.message)
      throw new CairnError(
        'invalid_input',
        encrypted
          ? 'This private key is protected by a passphrase; give the passphrase too.'
          : 'This is not a private key Cairn can use (OpenSSH or PEM: ed25519, ECDSA or RSA).',
      )
    }
    if (!parsed.isPrivateKey()) {
      throw new CairnError('invalid_input', 'This is a public key; Cairn needs the private key.')
    }
    const blob = parsed.getPublicSSH()
    const view: SshKeyView = {
      id: randomBytes(8).toString('hex'),
      name,
      publicKey: `${parsed.type} ${blob.toString('base64')} cairn:${name}`,
      fingerprint: fingerprintOf(blob),
      created: this.now().toISOString(),
    }
    await this.change(async (keys) => {
      await this.secrets.set(sshKeyAccount(view.id), JSON.stringify(stored))
      return [...keys, view]
    })
    return view
  }

  private async read(): Promise<z.infer<typeof fileSchema>> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch {
      return { schemaVersion: 1, keys: [] }
    }
    const parsed = fileSchema.safeParse(JSON.parse(text))
    if (!parsed.success) {
      throw new CairnError(
        'internal',
        `${SSH_KEYS_FILE} in Cairn's data folder is not readable by this version; Cairn leaves it as it is.`,
      )
    }
    return parsed.data
  }

  /** Changes run one at a time: read, change (may touch the keychain), write atomically. */
  private change(fn: (keys: SshKeyView[]) => Promise<SshKeyView[]>): Promise<void> {
    const run = async () => {
      const doc = await this.read()
      const keys = await fn(doc.keys)
      await atomicWriteFile(this.path, `${JSON.stringify({ schemaVersion: 1, keys }, null, 1)}\n`)
    }
    const result = this.queue.then(run, run)
    this.queue = result.catch(() => {})
    return result
  }
}
