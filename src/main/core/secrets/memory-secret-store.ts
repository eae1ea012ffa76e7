import { CairnError } from '../../../shared/errors'
import type { KeychainStatus } from '../../../shared/domain/keychain'
import type { SecretStore } from './secret-store'

/**
 * Secrets held in memory only, never written anywhere. For unit tests and throwaway demos; the app
 * itself always uses the OS keychain. `available: false` simulates a machine without a keychain.
 */
export class MemorySecretStore implements SecretStore {
  readonly values = new Map<string, string>()
  available = true

  async get(account: string): Promise<string | null> {
    this.check()
    return this.values.get(account) ?? null
  }
  async set(account: string, value: string): Promise<void> {
    this.check()
    this.values.set(account, value)
  }
  async delete(account: string): Promise<boolean> {
    this.check()
    return this.values.delete(account)
  }
  async status(): Promise<KeychainStatus> {
    return this.available
      ? { available: true, backend: 'memory' }
      : { available: false, backend: 'memory', message: 'The test keychain is switched off.' }
  }
  private check(): void {
    if (!this.available)
      throw new CairnError('keychain_unavailable', 'The test keychain is switched off.')
  }
}
