import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Handlers } from './api/dispatch'
import { EventBus } from './api/event-bus'
import { appHandlers } from './api/handlers/app'
import { backupHandlers } from './api/handlers/backup'
import { backupKeysHandlers } from './api/handlers/backup-keys'
import { restorePointsHandlers } from './api/handlers/restore-points'
import { hetznerHandlers } from './api/handlers/hetzner'
import { jobsHandlers } from './api/handlers/jobs'
import { maintenanceHandlers } from './api/handlers/maintenance'
import { pruneHandlers } from './api/handlers/prune'
import { costsHandlers } from './api/handlers/costs'
import { settingsHandlers } from './api/handlers/settings'
import { storageHandlers } from './api/handlers/storage'
import { JobRunner } from './jobs/job-runner'
import { idleHandlers } from './idle/idle-handlers'
import { IdleMonitor } from './idle/idle-monitor'
import { IdleSettingsStore } from './idle/idle-settings'
import { createFileLogger, type Logger } from './logging/logger'
import { KeytarSecretStore } from './secrets/keytar-secret-store'
import { KnownSecrets } from './secrets/known-secrets'
import type { SecretStore } from './secrets/secret-store'
import type { CoreServices } from './services'
import { workspacesProvisionHandlers } from './api/handlers/workspaces-provision'
import { workspacesRegistryHandlers } from './api/handlers/workspaces-registry'
import { workspacesStopHandlers } from './api/handlers/workspaces-stop'
import { restoreUiHandlers } from './api/handlers/restore-ui'
import { reconcileState } from './workspaces/reconcile-state'
import { stopOnQuit, type StopAllOutcome } from './workspaces/stop-all'
import { stopWorkspaceAndWait } from './workspaces/stop-workspace'
import {
  workspaceContext,
  type WorkspaceContext,
  type WorkspaceOptions,
} from './workspaces/workspace-context'
import { SettingsStore } from './settings/settings-store'
import { retentionHandlers } from './api/handlers/retention'
import { schedulesHandlers } from './api/handlers/schedules'
import { Scheduler, type SchedulerOptions } from './schedules/scheduler'

export interface CoreOptions {
  /** The app's data directory (settings, registry, logs). Created if missing. */
  dataDir: string
  host: 'electron' | 'headless'
  version: string
  /**
   * Where secrets live. Default: the OS keychain (keytar, service 'Cairn'). Tests may pass a
   * KeytarSecretStore with another service name, or a MemorySecretStore.
   */
  secrets?: SecretStore
  /** Default: `<dataDir>/logs/cairn.log`, redacted. */
  logger?: Logger
  /** Where the ssh config is, the VMs' SSH port, readiness timeouts (tests, local cloud). */
  workspaces?: WorkspaceOptions
  /** The scheduler's clock and tick interval (tests drive it with tick()). */
  schedules?: SchedulerOptions
  /**
   * Where restorePoints.download saves by default. Default: env CAIRN_DOWNLOADS_DIR, else
   * ~/Downloads (of the machine the core runs on).
   */
  downloadsDir?: string
}

/** Everything a host (Electron shell, headless host, tests) needs from the core. */
export interface Core {
  handlers: Handlers
  events: EventBus
  dispose(): Promise<void>
}

/** What createCore returns: a Core, plus its parts for hosts and features built on them. */
export interface CoreWithServices extends Core {
  /** The log; hosts pass `(method, error) => core.logger.error(...)` to dispatch. */
  logger: Logger
  services: CoreServices
  /** Idle detection: the workspace lifecycle watches running workspaces here. */
  idle: IdleMonitor
  /** The workspace registry and what the lifecycle shares (tests reach into it). */
  workspaces: WorkspaceContext
  /** Scheduled backups, verifies and retention; tests call tick() with a moved clock. */
  scheduler: Scheduler
  /**
   * Before a host exits: when the user turned on "stop every running workspace when Cairn
   * quits", stops them (back up, verify, delete each server) and resolves once all finished or
   * failed. Does nothing otherwise. Call it before dispose.
   */
  stopOnQuit(): Promise<StopAllOutcome[]>
}

function registering(store: SecretStore, known: KnownSecrets): SecretStore {
  return {
    get: async (account) => {
      const value = await store.get(account)
      known.add(value)
      return value
    },
    set: async (account, value) => {
      known.add(value)
      await store.set(account, value)
    },
    delete: (account) => store.delete(account),
    status: () => store.status(),
  }
}

export async function createCore(options: CoreOptions): Promise<CoreWithServices> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 })
  const known = new KnownSecrets()
  const events = new EventBus()
  const logger = options.logger ?? createFileLogger({ dir: join(options.dataDir, 'logs'), known })
  // Every secret value read from or written to the store is registered, whichever store it is,
  // so the log and the settings guard know it.
  const secrets = registering(options.secrets ?? new KeytarSecretStore(), known)
  const jobs = await JobRunner.open({ events, dataDir: options.dataDir, logger })
  const settings = new SettingsStore({ dataDir: options.dataDir, known })

  const services: CoreServices = {
    dataDir: options.dataDir,
    host: options.host,
    version: options.version,
    events,
    logger,
    settings,
    secrets,
    known,
    jobs,
  }
  const idle = new IdleMonitor({
    events,
    logger,
    // An idle workspace is stopped like any other (back up, verify, delete the server); the
    // monitor waits for the stop job and tries again later if it failed.
    stopWorkspace: (workspaceId) =>
      stopWorkspaceAndWait(workspaceContext(services), workspaceId, 'idle'),
  })
  const workspaces = workspaceContext(services, idle, options.workspaces)
  const idleSettings = new IdleSettingsStore(options.dataDir)
  const scheduler = new Scheduler(workspaces, options.schedules)
  const handlers: Handlers = {
    ...appHandlers(services),
    ...settingsHandlers(services),
    ...hetznerHandlers(services),
    ...storageHandlers(services),
    ...jobsHandlers(services),
    ...backupKeysHandlers(services),
    ...backupHandlers(services),
    ...restorePointsHandlers(services),
    ...idleHandlers(idle, idleSettings),
    ...workspacesRegistryHandlers(workspaces),
    ...workspacesProvisionHandlers(workspaces),
    ...workspacesStopHandlers(workspaces),
    ...maintenanceHandlers(services),
    ...pruneHandlers(services),
    ...costsHandlers(workspaces),
    ...schedulesHandlers(workspaces, scheduler),
    ...retentionHandlers(workspaces, scheduler),
    ...restoreUiHandlers(workspaces, { downloadsDir: options.downloadsDir }),
  }
  // Interrupted operations are finished or rolled back, then running workspaces are watched
  // again; in the background, so the window opens at once (jobs report what happens).
  void workspaces.startup()
  scheduler.start()
  logger.info('core started', {
    version: options.version,
    host: options.host,
    platform: process.platform,
  })

  let disposed: Promise<void> | null = null
  return {
    handlers,
    events,
    logger,
    services,
    idle,
    workspaces,
    scheduler,
    stopOnQuit: async () => stopOnQuit(workspaces, await idleSettings.get()),
    dispose: () =>
      (disposed ??= Promise.all([scheduler.dispose(), idle.dispose(), jobs.dispose()])
        // Start-up work (recovery, the background reconcile) finishes before the core is gone, so
        // nothing writes into the data directory after dispose resolves.
        .then(() => workspaces.startup())
        .then(() => reconcileState(workspaces).running?.catch(() => {}))
        .then(() => logger.info('core stopped'))),
  }
}
