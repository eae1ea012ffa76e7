import { join } from 'node:path'
import type { Endpoint, JobResult, SshEndpoint } from '../../../../shared/domain/backup'
import { CairnError } from '../../../../shared/errors'
import type { StorageConfig } from '../../../../shared/domain/settings'
import { connectSshSource, localSource, type RestoreTarget, type Source } from '../../backup'
import { MasterKeyStore } from '../../keys/master-key-store'
import { SshKeyStore } from '../../keys/ssh-key-store'
import { FolderIndexCache, openRepository, type Repository, type Workspace } from '../../repo'
import { secretAccounts } from '../../secrets/secret-store'
import type { CoreServices } from '../../services'
import { connectSsh, type SshConnectOptions } from '../../ssh/connection'
import { createObjectStore, storageSecretId } from '../../storage/create-store'
import type { ObjectStore } from '../../storage/object-store'
import { S3Store } from '../../storage/s3-store'
import { CostLedger } from '../../costs/cost-ledger'
import { JobRequests } from '../../costs/job-requests'

/** The configured repository, opened with this machine's master key. Close it when done. */
export interface OpenedRepository {
  repo: Repository
  close(): void
}

const RESULTS_KEPT = 100

/**
 * What the backup, restore-point and key handlers share: the master key and SSH key stores, the
 * configured repository, sources and targets from API endpoints, and finished jobs' results.
 * One instance per core (see backupContext).
 */
export class BackupContext {
  readonly masterKeys: MasterKeyStore
  readonly sshKeys: SshKeyStore
  private readonly results = new Map<string, JobResult>()
  /** Requests per workspace and month, and the bytes stored (storage.costs). */
  readonly costs: CostLedger
  /** Counts each job's storage requests (every store opened here inside a job). */
  readonly jobRequests: JobRequests

  constructor(readonly s: CoreServices) {
    this.masterKeys = new MasterKeyStore(s.secrets, { known: s.known })
    this.sshKeys = new SshKeyStore(s.dataDir, s.secrets)
    this.costs = new CostLedger(s.dataDir)
    this.jobRequests = new JobRequests(this.costs, s.logger)
    this.jobRequests.follow(s.events, this)
  }

  /** The storage in Settings as an ObjectStore (with its secret from the keychain). */
  async configuredStore(): Promise<{ store: ObjectStore; config: StorageConfig; close(): void }> {
    const config = (await this.s.settings.get()).storage
    if (!config) {
      throw new CairnError('not_configured', 'Choose where backups go in Settings first.')
    }
    const id = storageSecretId(config)
    const secret = id === null ? null : await this.s.secrets.get(secretAccounts.storageSecret(id))
    const base = createObjectStore(config, { secretAccessKey: secret, logger: this.s.logger })
    return {
      store: this.jobRequests.wrap(base),
      config,
      close: () => {
        if (base instanceof S3Store) base.destroy()
      },
    }
  }

  /** Opens the configured repository with the master key (proven before anything is written). */
  async openRepository(signal?: AbortSignal): Promise<OpenedRepository> {
    const { store, close } = await this.configuredStore()
    try {
      const key = await this.masterKeys.require()
      const pending = await this.masterKeys.pendingRotation()
      if (!pending)
        return { repo: await openRepository(store, key, signal ? { signal } : {}), close }
      // A master key rotation from this machine is under way (or was interrupted): the repository
      // opens with one of the two keys, and what is not re-wrapped yet opens with the other.
      let repo: Repository
      try {
        repo = await openRepository(store, key, signal ? { signal } : {})
        repo.previousMasterKey = pending
      } catch (error) {
        if (!(error instanceof CairnError && error.code === 'unauthorized')) throw error
        repo = await openRepository(store, pending, signal ? { signal } : {})
        repo.previousMasterKey = key
      }
      return { repo, close }
    } catch (error) {
      close()
      throw error
    }
  }

  async sshOptions(endpoint: SshEndpoint, signal?: AbortSignal): Promise<SshConnectOptions> {
    const credentials = await this.sshKeys.get(endpoint.keyId)
    this.s.known.add(credentials.passphrase)
    return {
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.user,
      hostKey: endpoint.hostKey,
      privateKey: credentials.privateKey,
      ...(credentials.passphrase === undefined ? {} : { passphrase: credentials.passphrase }),
      ...(signal ? { signal } : {}),
    }
  }

  async source(endpoint: Endpoint, signal?: AbortSignal): Promise<Source> {
    if (endpoint.kind === 'local') return localSource()
    return connectSshSource(await this.sshOptions(endpoint, signal))
  }

  /** A restore target, and how to release it (the SSH connection) afterwards. */
  async target(
    endpoint: Endpoint,
    signal?: AbortSignal,
  ): Promise<{ target: RestoreTarget; close(): Promise<void> }> {
    if (endpoint.kind === 'local') {
      return { target: { kind: 'local', dir: endpoint.path }, close: async () => {} }
    }
    const connection = await connectSsh(await this.sshOptions(endpoint, signal))
    return {
      target: { kind: 'ssh', connection, dir: endpoint.path },
      close: () => connection.close(),
    }
  }

  /**
   * The on-disk index cache of a workspace (`<dataDir>/cache`, see docs/repository-format.md
   * §11.1): index files are immutable and verified by hash, so a backup or restore downloads only
   * the ones it has not seen. Verify never uses it.
   */
  indexCache(workspace: Workspace): FolderIndexCache {
    return new FolderIndexCache(join(this.s.dataDir, 'cache'), workspace.repo.id, workspace.id)
  }

  setResult(jobId: string, result: JobResult): void {
    this.results.set(jobId, result)
    while (this.results.size > RESULTS_KEPT) {
      const [oldest] = this.results.keys()
      this.results.delete(oldest!)
    }
  }

  result(jobId: string): JobResult | null {
    return this.results.get(jobId) ?? null
  }

  /** Tells the UI the master key changed (created, imported, recovery key shown). */
  async publishKeys(): Promise<void> {
    this.s.events.emit('keys.changed', await this.masterKeys.status())
  }
}

const contexts = new WeakMap<CoreServices, BackupContext>()

export function backupContext(s: CoreServices): BackupContext {
  let context = contexts.get(s)
  if (!context) contexts.set(s, (context = new BackupContext(s)))
  return context
}
