import { homedir } from 'node:os'
import { join } from 'node:path'
import type {
  PendingOperation,
  WorkspaceRecord,
  WorkspaceView,
} from '../../../shared/domain/workspace'
import { CairnError } from '../../../shared/errors'
import { backupContext, type BackupContext } from '../api/handlers/backup-context'
import { backgroundRetryPolicy, HetznerClient } from '../hetzner/hetzner-client'
import type { IdleMonitor } from '../idle/idle-monitor'
import { InstallationSshKey } from '../keys/installation-ssh-key'
import { secretAccounts } from '../secrets/secret-store'
import type { CoreServices } from '../services'
import { sshHostAlias } from '../ssh-config/host-alias'
import { SshIntegration } from '../ssh-config/ssh-integration'
import { costOf } from './cost'
import { WorkspaceRegistry } from './registry'

export interface WorkspaceOptions {
  /** The user's ssh config; default ~/.ssh/config. Tests pass a temp path. */
  sshConfigPath?: string
  /**
   * SSH port of servers Cairn creates: 22 on Hetzner. The local cloud's fake VMs may listen on
   * another (env CAIRN_VM_SSH_PORT for the hosts; see docs/local-cloud.md).
   */
  vmSshPort?: number
  /** Readiness timeouts per phase (ms); tests shorten them. */
  readinessTimeouts?: Partial<Record<'server' | 'ssh' | 'cloud-init', number>>
  /** Between Hetzner/SSH polls while waiting (ms); default 2 s. */
  pollIntervalMs?: number
}

/** Storage used per workspace, as the last reconcile (or backup) measured it. */
export interface StorageUse {
  bytes: number
  restorePoints: number
}

export type Recovery = (record: WorkspaceRecord) => Promise<void>

/**
 * What every workspace operation shares: the registry, the backup context (repository, master key,
 * SSH keys), the Hetzner client, the installation key, the ssh config integration and the idle
 * monitor. One per core (see workspaceContext).
 */
export class WorkspaceContext {
  readonly registry: WorkspaceRegistry
  readonly backup: BackupContext
  readonly installationKey: InstallationSshKey
  readonly sshIntegration: SshIntegration
  readonly vmSshPort: number
  readonly storage = new Map<string, StorageUse>()
  private readonly recoveries = new Map<PendingOperation['kind'], Recovery>()
  private readonly startupTasks: Array<{ name: string; run: () => Promise<void> }> = []
  private started: Promise<void> | null = null

  constructor(
    readonly s: CoreServices,
    readonly idle: IdleMonitor,
    readonly options: WorkspaceOptions = {},
  ) {
    this.registry = new WorkspaceRegistry(s.dataDir)
    this.backup = backupContext(s)
    this.installationKey = new InstallationSshKey(s.dataDir, this.backup.sshKeys)
    this.sshIntegration = new SshIntegration({
      sshConfig: options.sshConfigPath ?? join(homedir(), '.ssh', 'config'),
      cairnSshDir: join(s.dataDir, 'ssh'),
    })
    this.vmSshPort = options.vmSshPort ?? 22
    this.registry.onChange((id, record) => {
      s.events.emit('workspaces.changed', { id, workspace: record ? this.view(record) : null })
    })
  }

  /**
   * A Hetzner client for jobs: nobody waits on each call, so it retries patiently (429 with
   * RateLimit-Reset, 5xx, conflict, locked) before giving up.
   */
  async hetzner(): Promise<HetznerClient> {
    const token = await this.s.secrets.get(secretAccounts.hetznerToken)
    if (token === null) {
      throw new CairnError('not_configured', 'Add your Hetzner API token in Settings first.')
    }
    const { hetznerApiBase } = await this.s.settings.get()
    return new HetznerClient({
      baseUrl: hetznerApiBase,
      token,
      retry: backgroundRetryPolicy,
      logger: this.s.logger,
    })
  }

  /**
   * How an operation of `kind` cut off by a crash or kill is finished or rolled back after the
   * restart (each lifecycle area registers its own; see docs/workspaces.md).
   */
  registerRecovery(kind: PendingOperation['kind'], recovery: Recovery): void {
    this.recoveries.set(kind, recovery)
  }

  /** Work for after recovery at start-up (watch running workspaces, reconcile), in order. */
  onStartup(name: string, run: () => Promise<void>): void {
    this.startupTasks.push({ name, run })
  }

  /**
   * Runs once per core, in the background of createCore: first every interrupted operation is
   * recovered, then the start-up tasks run. A failure is logged and recorded on the workspace; it
   * never stops the others. Tests await it.
   */
  startup(): Promise<void> {
    this.started ??= this.runStartup()
    return this.started
  }

  private async runStartup(): Promise<void> {
    for (const record of await this.registry.list().catch(() => [])) {
      if (!record.pending) continue
      const recovery = this.recoveries.get(record.pending.kind)
      if (!recovery) continue
      try {
        await recovery(record)
      } catch (error) {
        this.s.logger.error('recovering an interrupted operation failed', error, {
          workspace: record.id,
          kind: record.pending.kind,
        })
      }
    }
    for (const task of this.startupTasks) {
      try {
        await task.run()
      } catch (error) {
        this.s.logger.error(`start-up task ${task.name} failed`, error)
      }
    }
  }

  /** The record as the UI sees it, with cost now and the storage last measured. */
  view(record: WorkspaceRecord, now = Date.now()): WorkspaceView {
    const use = this.storage.get(record.id)
    return {
      ...record,
      cost: record.server ? costOf(record.server, now) : null,
      storageBytes: use?.bytes ?? null,
      restorePointCount: use?.restorePoints ?? null,
      sshAlias: sshHostAlias(record.name),
    }
  }
}

const contexts = new WeakMap<CoreServices, WorkspaceContext>()

/** The context of this core; created by createCore with the idle monitor and options. */
export function workspaceContext(
  s: CoreServices,
  idle?: IdleMonitor,
  options?: WorkspaceOptions,
): WorkspaceContext {
  let context = contexts.get(s)
  if (!context) {
    if (!idle) throw new CairnError('internal', 'The workspace context was not set up.')
    contexts.set(s, (context = new WorkspaceContext(s, idle, options)))
  }
  return context
}
