import { z } from 'zod'
import { checkJobResultSchema, repairIndexResultSchema } from './check'
import { pruneJobResultSchema } from './prune'
import { requestCountsSchema } from './costs'

/**
 * Backup, restore, verify, restore points and browsing, as the UI sees them. Every schema that
 * takes input is strict (unknown fields are refused); outputs list exactly what the core returns.
 * The formats behind these are in docs/repository-format.md; the API is described in docs/backup-api.md.
 */

/** Workspace ids as the repository stores them (its prefix is workspaces/<id>/). */
export const workspaceIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    'a workspace id is 1-64 letters, digits, "-" or "_", starting with a letter or digit',
  )

/** A restore point id (64 hex digits), a unique prefix of at least 4 digits, or "latest". */
export const restorePointRefSchema = z
  .string()
  .regex(/^(latest|[0-9a-f]{4,64})$/, 'a restore point is 4-64 hexadecimal digits or "latest"')

const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^\/[^\0]*$/, 'an absolute path, like /home/dev')

/**
 * An SSH host to back up from or restore to. The host key is pinned (no trust on first use). The
 * private key never crosses the API: `keyId` names a key Cairn holds in the keychain (made with
 * sshKeys.generate or sshKeys.importFile).
 */
export const sshEndpointSchema = z
  .object({
    kind: z.literal('ssh'),
    host: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or IP address'),
    port: z.number().int().min(1).max(65535).default(22),
    user: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'a user name'),
    /** `ssh-ed25519 AAAA...` (a known_hosts line works too) or `SHA256:...`. */
    hostKey: z.string().min(1).max(4000),
    keyId: z.string().regex(/^[a-z0-9-]{1,64}$/, 'the id of a key from sshKeys.list'),
    path: absolutePath,
  })
  .strict()
export type SshEndpoint = z.infer<typeof sshEndpointSchema>

/** A folder on the machine the core runs on. */
export const localEndpointSchema = z
  .object({ kind: z.literal('local'), path: absolutePath })
  .strict()
export type LocalEndpoint = z.infer<typeof localEndpointSchema>

export const endpointSchema = z.discriminatedUnion('kind', [sshEndpointSchema, localEndpointSchema])
export type Endpoint = z.infer<typeof endpointSchema>

/** Include/exclude rules (syntax in docs/pull-backup.md); added after Cairn's defaults. */
const rule = z.string().min(1).max(1000)

export const backupStartInputSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    source: endpointSchema,
    exclude: z.array(rule).max(1000).default([]),
    include: z.array(rule).max(1000).default([]),
    /** Back up credential files (~/.ssh private keys, tokens) too; default false. */
    includeCredentials: z.boolean().default(false),
    trigger: z.enum(['manual', 'schedule', 'stop', 'idle', 'before-restore']).default('manual'),
    tags: z.array(z.string().min(1).max(100)).max(20).default([]),
  })
  .strict()

export const restoreStartInputSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    restorePoint: restorePointRefSchema,
    target: endpointSchema,
    /** Restore only these paths of the restore point ('/'-separated, as browse shows them). */
    include: z.array(z.string().min(1).max(4096)).max(1000).default([]),
    /** Write into a non-empty target, replacing what is at restored paths. */
    overwrite: z.boolean().default(false),
  })
  .strict()

export const verifyStartInputSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    restorePoint: restorePointRefSchema,
    /** Share of the data to read back, 0 < share <= 1 (trees are always checked in full). */
    share: z.number().gt(0).max(1).default(1),
  })
  .strict()

export const triggerSchema = z.enum(['manual', 'schedule', 'stop', 'idle', 'before-restore', 'cli'])

/** One restore point, as listed. Sizes in bytes. */
export const restorePointSchema = z.object({
  id: z.string(),
  workspaceId: z.string(),
  /** ISO 8601 UTC: when the backup started. */
  time: z.string(),
  trigger: triggerSchema,
  tags: z.array(z.string()),
  paths: z.array(z.string()),
  hostname: z.string(),
  parent: z.string().nullable(),
  files: z.number(),
  dirs: z.number(),
  symlinks: z.number(),
  /** File content in the restore point. */
  size: z.number(),
  /** Plaintext this backup added to the repository (new data and trees). */
  addedBytes: z.number(),
  /** What this backup uploaded (compressed, encrypted packs). */
  uploadedBytes: z.number(),
  durationMs: z.number(),
  /** Files that changed while they were read: their content may be torn. */
  changedWhileReading: z.number(),
  program: z.string(),
})
export type RestorePoint = z.infer<typeof restorePointSchema>

export const restorePointListSchema = z.object({
  /** Oldest first. */
  restorePoints: z.array(restorePointSchema),
  /** Restore points that exist but could not be read; never silently dropped. */
  damaged: z.array(z.object({ workspaceId: z.string(), id: z.string(), message: z.string() })),
})
export type RestorePointList = z.infer<typeof restorePointListSchema>

export const browseInputSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    restorePoint: restorePointRefSchema,
    /** '/'-separated path inside the restore point, as browse shows names; '' is the root. */
    path: z.string().max(4096).default(''),
  })
  .strict()

export const entryTypeSchema = z.enum([
  'file',
  'dir',
  'symlink',
  'fifo',
  'chardev',
  'blockdev',
  'socket',
])

export const browseEntrySchema = z.object({
  /**
   * The name as people read it: UTF-8 text; a backslash is `\\`, control characters and, in names
   * that are not UTF-8, every byte outside printable ASCII are `\xNN`. Reversible, so it is also
   * what goes into `path` and restore's `include`.
   */
  name: z.string(),
  type: entryTypeSchema,
  /** Permission bits, including setuid/setgid/sticky. */
  mode: z.number(),
  uid: z.number(),
  gid: z.number(),
  user: z.string().nullable(),
  group: z.string().nullable(),
  /** Files: content bytes; 0 otherwise. */
  size: z.number(),
  /** ISO 8601 UTC in milliseconds; `mtimeNsec` is the exact sub-second part. */
  mtime: z.string(),
  mtimeNsec: z.number(),
  /** Symlinks: the target, displayed like names. */
  target: z.string().nullable(),
  /** The file changed while it was backed up: its content may be torn. */
  changedWhileReading: z.boolean(),
})
export type BrowseEntry = z.infer<typeof browseEntrySchema>

export const browseOutputSchema = z.object({
  restorePointId: z.string(),
  /** The normalized path that was listed ('' for the top). */
  path: z.string(),
  /** The listed path itself (a folder, or a file when `path` names one); null for the top. */
  self: browseEntrySchema.nullable(),
  /** Sorted by name bytes; empty for a file. */
  entries: z.array(browseEntrySchema),
})
export type BrowseOutput = z.infer<typeof browseOutputSchema>

export const masterKeyStatusSchema = z.object({
  present: z.boolean(),
  /** 16 hex digits identifying the key, to compare machines without showing it. */
  keyId: z.string().nullable(),
  created: z.string().nullable(),
  origin: z.enum(['generated', 'imported']).nullable(),
  /** When the recovery key was shown (or typed in, for an imported key); null if never. */
  recoveryShownAt: z.string().nullable(),
})
export type MasterKeyStatusView = z.infer<typeof masterKeyStatusSchema>

export const sshKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** `ssh-ed25519 AAAA... cairn:<name>`: what goes into the host's authorized_keys. */
  publicKey: z.string(),
  fingerprint: z.string(),
  created: z.string(),
})
export type SshKeyView = z.infer<typeof sshKeySchema>

export const preflightOutputSchema = z.object({
  restorePointId: z.string(),
  targetState: z.enum(['missing', 'empty', 'non-empty', 'not-a-directory']),
  /** Restored paths that exist at the target and would be replaced (folders merge: not listed). */
  conflicts: z.array(
    z.object({ path: z.string(), existingType: z.string(), entryType: z.string() }),
  ),
  /** Restored paths that would be refused because a parent is a symlink at the target. */
  blockedBySymlink: z.array(z.string()),
})
export type PreflightOutput = z.infer<typeof preflightOutputSchema>

export const backupWarningSchema = z.object({ path: z.string().nullable(), message: z.string() })

/** What a finished job produced (jobs.result), by kind. Kept in memory for the last 100 jobs. */
export const backupJobResultSchema = z.object({
  kind: z.literal('backup'),
  restorePoint: restorePointSchema,
  filesRead: z.number(),
  bytesRead: z.number(),
  filesUnchanged: z.number(),
  filesSkipped: z.number(),
  /** Up to 200 warnings (unreadable files, files changed while read); `warningCount` has all. */
  warnings: z.array(backupWarningSchema),
  warningCount: z.number(),
  requests: requestCountsSchema.optional(),
})

export const restoreJobResultSchema = z.object({
  kind: z.literal('restore'),
  restorePointId: z.string(),
  /** workspaces.restore: the safety backup (trigger before-restore) taken first. */
  safetyRestorePointId: z.string().optional(),
  /** restorePoints.download: where the file or folder was saved. */
  savedTo: z.string().optional(),
  files: z.number(),
  dirs: z.number(),
  symlinks: z.number(),
  hardlinks: z.number(),
  bytes: z.number(),
  /** Entries not written (unsafe or unsupported), with why. */
  refused: z.array(z.object({ path: z.string(), reason: z.string(), message: z.string() })),
  warnings: z.array(z.string()),
  durationMs: z.number(),
  requests: requestCountsSchema.optional(),
})

export const verifyProblemSchema = z.object({
  /**
   * tree/data: a blob of the restore point is damaged or missing (the paths are affected);
   * pack: a pack's header does not match the index (restores work, an index rebuild would not);
   * index: an index file is damaged; repository: the workspace's registry entry is damaged.
   */
  kind: z.enum(['tree', 'data', 'pack', 'index', 'repository']),
  blobId: z.string().nullable(),
  packId: z.string().nullable(),
  message: z.string(),
  /** Affected files and folders, relative to the restore point. */
  paths: z.array(z.string()),
})

export const verifyJobResultSchema = z.object({
  kind: z.literal('verify'),
  restorePointId: z.string(),
  ok: z.boolean(),
  treesChecked: z.number(),
  dataBlobs: z.number(),
  dataBlobsChecked: z.number(),
  bytesChecked: z.number(),
  problems: z.array(verifyProblemSchema),
  durationMs: z.number(),
  requests: requestCountsSchema.optional(),
})

export const jobResultSchema = z.discriminatedUnion('kind', [
  backupJobResultSchema,
  restoreJobResultSchema,
  verifyJobResultSchema,
  checkJobResultSchema,
  repairIndexResultSchema,
  pruneJobResultSchema,
  /** A job with no other result (stop, delete, ...): the requests it made to the storage. */
  z.object({ kind: z.literal('requests'), requests: requestCountsSchema }),
])
export type JobResult = z.infer<typeof jobResultSchema>

/** The configured storage as a repository, for the UI's first-run and status views. */
export const repositoryStatusSchema = z.object({
  /**
   * - `not_configured`: no storage in Settings.
   * - `no_repository`: the storage is empty: repository.init creates one.
   * - `no_master_key`: there is a repository but this machine has no master key: import the
   *   recovery key.
   * - `ready`: the master key opens it.
   * - `wrong_key`: the master key does not open it (another machine's repository?).
   * - `not_cairn`: the location holds something else, or a newer format.
   * - `unavailable`: storage or keychain could not be reached; `message` says why.
   */
  state: z.enum([
    'not_configured',
    'no_repository',
    'no_master_key',
    'ready',
    'wrong_key',
    'not_cairn',
    'unavailable',
  ]),
  location: z.string().nullable(),
  repositoryId: z.string().nullable(),
  workspaces: z.array(z.string()),
  message: z.string().nullable(),
})
export type RepositoryStatus = z.infer<typeof repositoryStatusSchema>

/** An endpoint for people: `dev@host:2222:/home/dev` or the local folder. */
export function describeEndpoint(endpoint: Endpoint): string {
  if (endpoint.kind === 'local') return endpoint.path
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host
  return `${endpoint.user}@${host}${endpoint.port === 22 ? '' : `:${endpoint.port}`}:${endpoint.path}`
}
