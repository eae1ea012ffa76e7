import { secretAccounts } from '../../src/main/core/secrets/secret-store'

interface Keytar {
  getPassword(service: string, account: string): Promise<string | null>
  deletePassword(service: string, account: string): Promise<boolean>
  findCredentials(service: string): Promise<{ account: string; password: string }[]>
}

async function keytar(): Promise<Keytar> {
  const mod = (await import('keytar')) as unknown as { default?: Keytar } & Keytar
  return mod.default ?? mod
}

/**
 * Reads the keychain directly through keytar, not through the core: what the tests assert about
 * stored secrets is what is really in the Secret Service.
 */
export class Keychain {
  constructor(readonly service: string) {}

  async hetznerToken(): Promise<string | null> {
    return (await keytar()).getPassword(this.service, secretAccounts.hetznerToken)
  }

  async storageSecret(id: string): Promise<string | null> {
    return (await keytar()).getPassword(this.service, secretAccounts.storageSecret(id))
  }

  async accounts(): Promise<string[]> {
    return (await (await keytar()).findCredentials(this.service)).map((c) => c.account).sort()
  }

  async clear(): Promise<void> {
    const k = await keytar()
    for (const { account } of await k.findCredentials(this.service)) {
      await k.deletePassword(this.service, account)
    }
  }
}
