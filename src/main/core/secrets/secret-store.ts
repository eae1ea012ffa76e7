import type { KeychainStatus } from '../../../shared/domain/keychain'

/** The keychain service name every Cairn secret is filed under. */
export const SECRET_SERVICE = 'Cairn'

/** Account names inside the service. One place, so nothing else invents its own. */
export const secretAccounts = {
  hetznerToken: 'hetzner-token',
  storageSecret: (id: string) => `storage-secret:${id}`,
  masterKey: 'master-key',
  /** A master key replaced by a forced import, kept so a mistaken import can be undone. */
  replacedMasterKey: (keyId: string) => `master-key.replaced.${keyId}`,
  /** The new key of a master key rotation under way (stored before the repository changes). */
  pendingMasterKey: 'master-key.pending',
  sshKey: (id: string) => `ssh-key:${id}`,
  /** A secret written to a workspace's VM after each start (e.g. ANTHROPIC_API_KEY). */
  workspaceSecret: (workspaceId: string, name: string) => `workspace-secret:${workspaceId}:${name}`,
} as const

/**
 * Where secrets live. The only production implementation is the OS keychain (KeytarSecretStore);
 * there is deliberately no file-backed one. Every method throws CairnError('keychain_unavailable')
 * with instructions when there is no keychain to talk to.
 */
export interface SecretStore {
  get(account: string): Promise<string | null>
  set(account: string, value: string): Promise<void>
  /** True if something was deleted. */
  delete(account: string): Promise<boolean>
  /** Never throws: reports whether the keychain answers and, if not, what to do. */
  status(): Promise<KeychainStatus>
}
