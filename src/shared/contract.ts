import { z } from 'zod'
import {
  idleTimeoutMinutesSchema,
  notificationLevelSchema,
  settingsViewSchema,
} from './domain/settings'
import { hetznerCatalogSchema } from './domain/hetzner'
import { storageInputSchema, storageTestResultSchema } from './domain/storage'
import { jobSchema } from './domain/jobs'
import { keychainStatusSchema } from './domain/keychain'
import {
  backupStartInputSchema,
  browseInputSchema,
  browseOutputSchema,
  endpointSchema,
  jobResultSchema,
  masterKeyStatusSchema,
  preflightOutputSchema,
  repositoryStatusSchema,
  restorePointListSchema,
  restorePointRefSchema,
  restorePointSchema,
  restoreStartInputSchema,
  sshKeySchema,
  verifyStartInputSchema,
  workspaceIdSchema,
} from './domain/backup'
import {
  idlePauseSchema,
  idleSettingsSchema,
  idleStateSchema,
  idleStopSchema,
  idleWarningSchema,
} from './domain/idle'
import {
  hostKeyProbeSchema,
  workspaceAdoptSshInputSchema,
  workspaceCreateInputSchema,
  workspacePreflightSchema,
  workspaceListSchema,
  workspaceNameSchema,
  workspaceOpenCommandSchema,
  workspaceSecretNameSchema,
  workspaceStartInputSchema,
  workspaceViewSchema,
} from './domain/workspace'
import {
  forgetInputSchema,
  forgetResultSchema,
  pinInputSchema,
  pinSchema,
  maintenanceDefaultsSchema,
  retentionDefaultsSetInputSchema,
  retentionPolicySchema,
  retentionSetInputSchema,
  retentionViewSchema,
  scheduleDefaultsSchema,
  scheduleDefaultsSetInputSchema,
  scheduleSetInputSchema,
  scheduleSettingsSchema,
  scheduleStatusSchema,
} from './domain/schedules'
import { repairIndexInputSchema, repositoryCheckInputSchema } from './domain/check'
import { pruneInputSchema } from './domain/prune'
import {
  downloadInputSchema,
  downloadOutputSchema,
  workspaceRestoreInputSchema,
} from './domain/restore-ui'
import { storageCostsSchema } from './domain/costs'
import { appNavigateSchema } from './domain/navigation'

/**
 * The contract between the UI and the core: every method and every event, as zod schemas.
 * The preload client, the Electron IPC handlers, the WebSocket transport and the renderer's types
 * are all derived from this object, so adding a method here is the only way to add one anywhere.
 */
const empty = z.object({}).strict()

export const methods = {
  'app.info': {
    input: empty,
    output: z.object({
      version: z.string(),
      host: z.enum(['electron', 'headless']),
      platform: z.string(),
    }),
  },
  'keychain.status': { input: empty, output: keychainStatusSchema },

  'settings.get': { input: empty, output: settingsViewSchema },
  'settings.setHetznerApiBase': {
    input: z.object({ url: z.url({ protocol: /^https?$/ }).max(500) }).strict(),
    output: settingsViewSchema,
  },
  /** Changes the given desktop preferences; the others stay. Publishes settings.changed. */
  'settings.setPreferences': {
    // Not preferencesSchema.partial(): its defaults would fill in (and reset) what was left out.
    input: z
      .object({
        notificationLevel: notificationLevelSchema.optional(),
        launchAtLogin: z.boolean().optional(),
        defaultIdleTimeoutMinutes: idleTimeoutMinutesSchema.nullable().optional(),
      })
      .strict(),
    output: settingsViewSchema,
  },

  /** Checks the token against the API and stores it only if the API accepts it. */
  'hetzner.setToken': {
    input: z.object({ token: z.string().trim().min(1).max(200) }).strict(),
    output: hetznerCatalogSchema,
  },
  'hetzner.clearToken': { input: empty, output: settingsViewSchema },
  /** Locations and server types with prices, using the stored token. */
  'hetzner.catalog': { input: empty, output: hetznerCatalogSchema },

  /** A real write, read and delete of a small object; stores nothing. */
  'storage.test': { input: storageInputSchema.strict(), output: storageTestResultSchema },
  /** Tests, then saves the configuration (secret to the keychain) only if the test passed. */
  'storage.save': {
    input: storageInputSchema.strict(),
    output: z.object({ test: storageTestResultSchema, settings: settingsViewSchema }),
  },
  'storage.clear': { input: empty, output: settingsViewSchema },

  'jobs.list': { input: empty, output: z.array(jobSchema) },
  'jobs.cancel': {
    input: z.object({ id: z.string().min(1).max(100) }).strict(),
    output: z.object({}),
  },
  /** What a finished backup, restore or verify job produced; null while running or if forgotten. */
  'jobs.result': {
    input: z.object({ id: z.string().min(1).max(100) }).strict(),
    output: jobResultSchema.nullable(),
  },

  /** The master key in this machine's keychain (never the key itself). */
  'keys.status': { input: empty, output: masterKeyStatusSchema },
  /**
   * The recovery key. The first call returns it; once it has been shown, a call without
   * `again: true` fails with `conflict` (details.recoveryShownAt) so it is not shown by accident.
   */
  'keys.exportRecovery': {
    input: z.object({ again: z.boolean().default(false) }).strict(),
    output: z.object({
      recoveryKey: z.string(),
      keyId: z.string(),
      previouslyShownAt: z.string().nullable(),
    }),
  },
  /**
   * Stores the master key a recovery key encodes. Checked first against the configured
   * repository (if any): a key that does not open it is refused (`unauthorized`) and not stored.
   * A different key already here is only replaced with `replace: true` (else `conflict`).
   */
  'keys.importRecovery': {
    input: z
      .object({ recoveryKey: z.string().min(1).max(200), replace: z.boolean().default(false) })
      .strict(),
    output: z.object({
      keyId: z.string(),
      unchanged: z.boolean(),
      replacedKeyId: z.string().nullable(),
      /** The key was proven against the configured repository before it was stored. */
      checkedAgainstRepository: z.boolean(),
    }),
  },
  /**
   * Gives one workspace of the configured repository a new data key version: backups from now on
   * use it (the first uploads everything again), older restore points stay readable. One
   * create-only write, so an interrupted call changes nothing or completes.
   */
  /**
   * Replaces the master key: a new key (kept in the keychain as pending first) re-wraps every
   * workspace key and registry entry, then the repository's key check is replaced; the old key is
   * kept as "master-key.replaced.<id>". Returns the new recovery key, once (the old one stops
   * working). Refused (`conflict`) while a job runs. Interrupted, calling it again finishes it.
   */
  'keys.rotateMaster': {
    input: empty,
    output: z.object({
      recoveryKey: z.string(),
      keyId: z.string(),
      previousKeyId: z.string(),
      /** Registry entries and key files re-wrapped by this call. */
      rewrapped: z.number().int().nonnegative(),
      /** This call finished a rotation that an earlier one started. */
      resumed: z.boolean(),
    }),
  },
  'keys.rotateWorkspace': {
    input: z.object({ workspaceId: workspaceIdSchema }).strict(),
    output: z.object({ workspaceId: z.string(), keyVersion: z.number().int().positive() }),
  },

  /** SSH keys Cairn logs in with; private keys stay in the keychain and never cross the API. */
  'sshKeys.list': { input: empty, output: z.array(sshKeySchema) },
  'sshKeys.generate': {
    input: z.object({ name: z.string().trim().min(1).max(100) }).strict(),
    output: sshKeySchema,
  },
  /** Reads a private key file on the machine the core runs on (a path the user picked). */
  'sshKeys.importFile': {
    input: z
      .object({
        name: z.string().trim().min(1).max(100),
        path: z.string().min(1).max(4096),
        passphrase: z.string().min(1).max(1000).optional(),
      })
      .strict(),
    output: sshKeySchema,
  },
  'sshKeys.delete': {
    input: z.object({ id: z.string().min(1).max(64) }).strict(),
    output: z.object({}),
  },

  /** The configured storage as a repository: does it exist, does this machine's key open it. */
  'repository.status': { input: empty, output: repositoryStatusSchema },
  /** Creates a repository in the configured (empty) storage; creates the master key if needed. */
  'repository.init': {
    input: empty,
    output: z.object({
      repositoryId: z.string(),
      keyId: z.string(),
      /** A new master key was made: show the recovery key now (keys.exportRecovery). */
      masterKeyCreated: z.boolean(),
    }),
  },

  /** Starts a backup job into the configured repository; progress arrives as job.updated. */
  'backup.start': { input: backupStartInputSchema, output: jobSchema },
  /** What a restore would replace at the target, without writing anything. */
  'restore.preflight': {
    input: z
      .object({
        workspaceId: workspaceIdSchema,
        restorePoint: restorePointRefSchema,
        target: endpointSchema,
        include: z.array(z.string().min(1).max(4096)).max(1000).default([]),
      })
      .strict(),
    output: preflightOutputSchema,
  },
  'restore.start': { input: restoreStartInputSchema, output: jobSchema },
  /** A restore drill; a job that finds damage fails, and jobs.result lists the affected files. */
  'verify.start': { input: verifyStartInputSchema, output: jobSchema },

  /** Restore points of one workspace, or of every workspace in the repository; oldest first. */
  'restorePoints.list': {
    input: z.object({ workspaceId: workspaceIdSchema.optional() }).strict(),
    output: restorePointListSchema,
  },
  /** The entries of a folder of a restore point, without restoring anything. */
  'restorePoints.browse': { input: browseInputSchema, output: browseOutputSchema },

  /**
   * Restores a file or folder of a restore point into a folder of the machine the core runs on
   * (default its Downloads folder) under a name of its own (`name (2)`): never replaces anything.
   * Returns the job and where it goes at once (docs/restore-ui.md).
   */
  'restorePoints.download': { input: downloadInputSchema, output: downloadOutputSchema },
  /**
   * Restores a restore point (or `include` paths of it) into the running workspace over SSH,
   * replacing the files at restored paths; a safety backup (trigger before-restore) is taken
   * first. Refused (`conflict`) unless the workspace runs and no other job works on it.
   */
  'workspaces.restore': { input: workspaceRestoreInputSchema, output: jobSchema },

  /** Idle state of every running workspace Cairn watches. */
  'idle.status': { input: empty, output: z.array(idleStateSchema) },
  /** Stop no earlier than `minutes` from now (a new warning comes 5 minutes before). */
  'idle.postpone': {
    input: z
      .object({ workspaceId: workspaceIdSchema, minutes: z.number().int().min(1).max(1440) })
      .strict(),
    output: idleStateSchema,
  },
  /** Pause auto-stop for every workspace (default one hour). */
  'idle.pause': {
    input: z.object({ minutes: z.number().int().min(1).max(1440).default(60) }).strict(),
    output: idlePauseSchema,
  },
  'idle.resume': { input: empty, output: idlePauseSchema },
  'idle.settings': { input: empty, output: idleSettingsSchema },
  'idle.setStopAllOnQuit': {
    input: z.object({ enabled: z.boolean() }).strict(),
    output: idleSettingsSchema,
  },

  // Workspaces (docs/workspaces.md). Long operations return their job at once.
  /** The registry with cost and storage, plus what the last reconcile found. */
  'workspaces.list': { input: empty, output: workspaceListSchema },
  /** Compares the registry with Hetzner (managed-by=cairn) and the repository, then lists. */
  'workspaces.reconcile': { input: empty, output: workspaceListSchema },
  'workspaces.create': { input: workspaceCreateInputSchema, output: jobSchema },
  /** Every check a create makes before money is spent, each reported; buys and writes nothing. */
  'workspaces.preflight': { input: workspaceCreateInputSchema, output: workspacePreflightSchema },
  /** Back up (tagged stop), verify, then delete the server. The server stays if either fails. */
  'workspaces.stop': { input: z.object({ id: workspaceIdSchema }).strict(), output: jobSchema },
  'workspaces.start': { input: workspaceStartInputSchema, output: jobSchema },
  /** Back up now, with the workspace's paths and rules. */
  'workspaces.backup': { input: z.object({ id: workspaceIdSchema }).strict(), output: jobSchema },
  /** Deletes the server (Hetzner), the restore points and keys; `confirmName` must be the name. */
  'workspaces.delete': {
    input: z.object({ id: workspaceIdSchema, confirmName: z.string().max(100) }).strict(),
    output: jobSchema,
  },
  'workspaces.update': {
    input: z
      .object({
        id: workspaceIdSchema,
        idleTimeoutMinutes: z
          .number()
          .int()
          .min(5)
          .max(7 * 24 * 60)
          .nullable()
          .optional(),
        excludes: z.array(z.string().min(1).max(1000)).max(1000).optional(),
        includes: z.array(z.string().min(1).max(1000)).max(1000).optional(),
        includeCredentials: z.boolean().optional(),
      })
      .strict(),
    output: workspaceViewSchema,
  },
  /** The host key an SSH server presents, for the user to confirm before adopting it. */
  'workspaces.probeHostKey': {
    input: z
      .object({
        host: z
          .string()
          .min(1)
          .max(253)
          .regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or IP address'),
        port: z.number().int().min(1).max(65535).default(22),
      })
      .strict(),
    output: hostKeyProbeSchema,
  },
  /** Registers an existing SSH host as a workspace (stop, start and delete never touch it). */
  'workspaces.adoptSsh': { input: workspaceAdoptSshInputSchema, output: workspaceViewSchema },
  /** The host key an orphan server presents, for the user to confirm before adopting it. */
  'workspaces.probeOrphanHostKey': {
    input: z.object({ serverId: z.number().int() }).strict(),
    output: hostKeyProbeSchema,
  },
  /**
   * Registers an orphan server (managed-by=cairn, unknown here) as a running workspace. Its host
   * key was made by another Cairn, so the user confirms it first (probeOrphanHostKey): no trust
   * on first use.
   */
  'workspaces.adoptOrphan': {
    input: z
      .object({
        serverId: z.number().int(),
        name: workspaceNameSchema,
        hostKey: z.string().min(1).max(4000),
      })
      .strict(),
    output: workspaceViewSchema,
  },
  /** Deletes an orphan server; `confirmName` must be the server's name. */
  'workspaces.deleteOrphan': {
    input: z.object({ serverId: z.number().int(), confirmName: z.string().max(100) }).strict(),
    output: jobSchema,
  },
  /** Adds a workspace found in the repository (e.g. made on another desktop) as stopped. */
  'workspaces.importDiscovered': {
    input: z.object({ workspaceId: workspaceIdSchema, name: workspaceNameSchema }).strict(),
    output: workspaceViewSchema,
  },
  'workspaces.secrets.list': {
    input: z.object({ id: workspaceIdSchema }).strict(),
    output: z.array(workspaceSecretNameSchema),
  },
  /** Kept in the keychain; written to the VM over SSH (0600) after each start and now if running. */
  'workspaces.secrets.set': {
    input: z
      .object({
        id: workspaceIdSchema,
        name: workspaceSecretNameSchema,
        value: z.string().min(1).max(16_384),
      })
      .strict(),
    output: z.array(workspaceSecretNameSchema),
  },
  'workspaces.secrets.delete': {
    input: z.object({ id: workspaceIdSchema, name: workspaceSecretNameSchema }).strict(),
    output: z.array(workspaceSecretNameSchema),
  },
  'workspaces.openVsCode': {
    input: z.object({ id: workspaceIdSchema }).strict(),
    output: workspaceOpenCommandSchema,
  },
  'workspaces.openTerminal': {
    input: z.object({ id: workspaceIdSchema }).strict(),
    output: workspaceOpenCommandSchema,
  },
  'workspaces.sshCommand': {
    input: z.object({ id: workspaceIdSchema }).strict(),
    output: z.object({ command: z.string(), alias: z.string() }).strict(),
  },

  // ---- Schedules, retention and pins (docs/schedules-and-retention.md) ----
  /** The retention policy of a workspace (its own or the defaults), and the defaults. */
  'retention.get': {
    input: z.object({ workspaceId: workspaceIdSchema }).strict(),
    output: retentionViewSchema,
  },
  /** Changes a workspace's policy (fields left out stay); `policy: null` goes back to the defaults. */
  'retention.set': { input: retentionSetInputSchema, output: retentionViewSchema },
  /** The policy of every workspace without one of its own. */
  'retention.getDefaults': { input: empty, output: retentionPolicySchema },
  /** Changes the default policy (fields left out stay); `policy: null` goes back to Cairn's own. */
  'retention.setDefaults': {
    input: retentionDefaultsSetInputSchema,
    output: retentionPolicySchema,
  },
  /**
   * Applies the policy now (or `policy`, once). Every decision carries its reasons; with `dryRun`
   * nothing changes. Restore points tagged stop, pinned ones and the latest are always kept. Takes
   * the workspace's lease: refused (`conflict`, naming the holder) while another writer has it.
   */
  'restorePoints.forget': { input: forgetInputSchema, output: forgetResultSchema },
  /** Pins are stored in the repository, so every desktop sees them and no forget removes them. */
  'restorePoints.pin': { input: pinInputSchema, output: pinSchema },
  'restorePoints.unpin': {
    input: pinInputSchema,
    output: z.object({ restorePointId: z.string() }),
  },
  'restorePoints.pins': {
    input: z.object({ workspaceId: workspaceIdSchema }).strict(),
    output: z.array(pinSchema),
  },
  'schedules.get': {
    input: z.object({ workspaceId: workspaceIdSchema }).strict(),
    output: scheduleSettingsSchema,
  },
  /** Fields left out stay; null switches that schedule off. */
  'schedules.set': { input: scheduleSetInputSchema, output: scheduleSettingsSchema },
  /** What a workspace follows for each schedule it has not set itself. */
  'schedules.getDefaults': { input: empty, output: scheduleDefaultsSchema },
  /** Fields left out stay; null switches that schedule off for every workspace following it. */
  'schedules.setDefaults': {
    input: scheduleDefaultsSetInputSchema,
    output: scheduleDefaultsSchema,
  },
  /** Every workspace's schedules: settings, next run times, last results. */
  'schedules.status': { input: empty, output: z.array(scheduleStatusSchema) },
  // ---- end of schedules, retention and pins ----
  // ---- Repository check and repair, storage costs (docs/maintenance.md) ----
  /**
   * Checks the repository (one workspace or all): index against packs, every tree of every
   * restore point, every data blob present, and a `readData` share of the data read back. A job;
   * jobs.result gives the report (kind "check"); the job fails when damage was found.
   */
  'repository.check': { input: repositoryCheckInputSchema, output: jobSchema },
  /**
   * Rebuilds what the index is missing from the pack headers, under the workspace's lease; never
   * deletes anything. A job; jobs.result gives what it added (kind "repair-index").
   */
  'repository.repairIndex': { input: repairIndexInputSchema, output: jobSchema },
  /** Bytes stored and requests made per workspace this month, at R2's prices. */
  'storage.costs': {
    input: z.object({ measure: z.boolean().default(false) }).strict(),
    output: storageCostsSchema,
  },
  // ---- end of check, repair and costs ----
  // ---- Prune (docs/repository-format.md "Prune", docs/schedules-and-retention.md) ----
  /**
   * Frees the storage no listed restore point of the workspace needs: deletes packs with no
   * referenced data, repacks mostly-unused ones, under the workspace's lease (refused, naming the
   * holder, while a backup or another desktop holds it). A job; jobs.result gives what was freed
   * and the requests it cost (kind "prune"). `dryRun` lists what would go and changes nothing.
   */
  'repository.prune': { input: pruneInputSchema, output: jobSchema },
  // ---- end of prune ----
} as const

export const events = {
  'job.updated': { payload: jobSchema },
  'settings.changed': { payload: settingsViewSchema },
  /** A restore point was added (by a backup job of this core). */
  'restorePoints.changed': {
    payload: z.object({ workspaceId: z.string(), restorePoint: restorePointSchema }),
  },
  /** The master key was created, imported or its recovery key shown. */
  'keys.changed': { payload: masterKeyStatusSchema },
  /** After every idle check of a workspace, and when postponed or paused. */
  'idle.state': { payload: idleStateSchema },
  /** A workspace will stop at `stopAt` unless someone works or the user postpones. */
  'idle.warning': { payload: idleWarningSchema },
  /** Cairn asked for an idle workspace to be stopped. */
  'idle.stop': { payload: idleStopSchema },
  /** A workspace was added or changed (`workspace`), or removed (`workspace` null). */
  'workspaces.changed': {
    payload: z.object({ id: z.string(), workspace: workspaceViewSchema.nullable() }),
  },
  /** Reconcile finished: orphans, discovered workspaces and totals changed. */
  'workspaces.reconciled': { payload: workspaceListSchema },
  /** A workspace's schedule settings or a scheduled result (backup, verify, retention) changed. */
  'schedules.changed': { payload: scheduleStatusSchema },
  /** The default schedule or retention policy changed (schedules.setDefaults, retention.setDefaults). */
  'schedules.defaultsChanged': { payload: maintenanceDefaultsSchema },
  /** Restore points were forgotten (by restorePoints.forget or retention after a scheduled backup). */
  'restorePoints.removed': {
    payload: z.object({ workspaceId: z.string(), restorePointIds: z.array(z.string()) }),
  },
  /** A restore point of this workspace was pinned or unpinned here (restorePoints.pin/unpin). */
  'restorePoints.pinsChanged': { payload: z.object({ workspaceId: z.string() }) },
  /**
   * The desktop shell asks the window to show a page (the tray's "Show in Cairn", a notification
   * clicked). The renderer follows it unless it is in the guided setup.
   */
  'app.navigate': { payload: appNavigateSchema },
} as const

export type Methods = typeof methods
export type MethodName = keyof Methods
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>
export type MethodParsedInput<M extends MethodName> = z.output<Methods[M]['input']>
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>

export type Events = typeof events
export type EventName = keyof Events
export type EventPayload<E extends EventName> = z.output<Events[E]['payload']>

export const methodNames = Object.keys(methods) as MethodName[]
export const eventNames = Object.keys(events) as EventName[]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name)
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name)
}
