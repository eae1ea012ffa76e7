import { z } from 'zod'
import { restorePointRefSchema, workspaceIdSchema } from './backup'

/**
 * Workspaces as the UI sees them: a Hetzner server Cairn created (and deletes on stop), or an SSH
 * host the user already had (never touched by stop, start or delete). The registry behind these is
 * described in docs/workspaces.md; the lifecycle (stop = back up, verify, delete the server;
 * start = a new server restored from a restore point) in the same document.
 */

/** What people type and what `ssh cairn-<name>` uses: lowercase, digits and dashes. */
export const workspaceNameSchema = z
  .string()
  .trim()
  .min(1, 'a workspace needs a name')
  .max(40, 'a workspace name is at most 40 characters')
  .regex(
    /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
    'a workspace name is lowercase letters, digits and "-", starting and ending with a letter or digit',
  )

const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .regex(/^\/[^\0]*$/, 'an absolute path, like /home/dev')

const rule = z.string().min(1).max(1000)

export const workspaceStates = [
  /** A server is being created and prepared (a job runs). */
  'creating',
  'running',
  /** Backing up, verifying, then deleting the server (a job runs). */
  'stopping',
  /** No server; the restore points hold the files. */
  'stopped',
  /** A new server is being created and restored (a job runs). */
  'starting',
  /** The server and restore points are being removed (a job runs). */
  'deleting',
  /** The last operation failed and left the workspace needing attention: see `problem`. */
  'error',
  /** The registry says running, but the server is gone (found by reconcile). */
  'missing',
] as const
export type WorkspaceState = (typeof workspaceStates)[number]

/** The Hetzner server behind a running workspace, and what it costs. */
export const workspaceServerSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    location: z.string(),
    serverType: z.string(),
    image: z.string(),
    /** When Hetzner created it (billing starts here), ISO. */
    createdAt: z.string(),
    /** Gross EUR as Hetzner sends them (decimal strings), for this type in this location. */
    priceHourly: z.string(),
    priceMonthly: z.string(),
  })
  .strict()
export type WorkspaceServer = z.infer<typeof workspaceServerSchema>

/** How Cairn reaches the workspace over SSH while it runs. */
export const workspaceSshSchema = z
  .object({
    host: z.string(),
    port: z.number().int().min(1).max(65535),
    user: z.string(),
    /** The pinned host key, `ssh-ed25519 AAAA...` (Cairn generated it, or the user confirmed it). */
    hostKey: z.string(),
    /** SHA256:... of hostKey, for people. */
    hostKeyFingerprint: z.string(),
    /** The key Cairn logs in with: the installation key for Hetzner, any sshKeys id for BYO. */
    keyId: z.string(),
  })
  .strict()
export type WorkspaceSsh = z.infer<typeof workspaceSshSchema>

/** The step an operation was at when it was interrupted (crash, kill): see docs/workspaces.md. */
export const pendingOperationSchema = z
  .object({
    kind: z.enum(['create', 'stop', 'start', 'delete']),
    jobId: z.string(),
    startedAt: z.string(),
    /** The last step reached, e.g. 'backed-up', 'verified', 'server-created', 'restored'. */
    step: z.string(),
    /** The server this operation created (start/create), so a rollback can delete it. */
    serverId: z.number().int().nullable(),
    /** The create token label of the server request, to find a server whose answer was lost. */
    createToken: z.string().nullable(),
    /** The verified restore point of a stop (set at 'verified'). */
    restorePointId: z.string().nullable(),
  })
  .strict()
export type PendingOperation = z.infer<typeof pendingOperationSchema>

export const workspaceProblemSchema = z
  .object({ code: z.string(), message: z.string(), at: z.string() })
  .strict()

/** One workspace in the registry (no secrets in it, ever). */
export const workspaceRecordSchema = z
  .object({
    /** Also the repository's workspace id and the Hetzner `workspace-id` label. */
    id: workspaceIdSchema,
    name: workspaceNameSchema,
    provider: z.enum(['hetzner', 'ssh']),
    state: z.enum(workspaceStates),
    createdAt: z.string(),
    /** Paths kept in restore points (default: the dev user's home). */
    paths: z.array(absolutePath).min(1).max(20),
    excludes: z.array(rule).max(1000),
    includes: z.array(rule).max(1000),
    includeCredentials: z.boolean(),
    /** Auto-stop after this many idle minutes; null: off. Hetzner workspaces only. */
    idleTimeoutMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .nullable(),
    /** Hetzner: what a start creates when not told otherwise (the last used). */
    location: z.string().nullable(),
    serverType: z.string().nullable(),
    image: z.string().nullable(),
    /** Hetzner: the running server; null while stopped. */
    server: workspaceServerSchema.nullable(),
    /** null while stopped (Hetzner); always set for BYO hosts. */
    ssh: workspaceSshSchema.nullable(),
    lastBackup: z
      .object({ restorePointId: z.string(), time: z.string(), trigger: z.string() })
      .nullable(),
    /** Names of the secrets written to the VM after each start (values live in the keychain). */
    secretNames: z.array(z.string()),
    problem: workspaceProblemSchema.nullable(),
    pending: pendingOperationSchema.nullable(),
  })
  .strict()
export type WorkspaceRecord = z.infer<typeof workspaceRecordSchema>

/** A workspace as the list shows it: the record plus cost and storage, computed when asked. */
export const workspaceViewSchema = workspaceRecordSchema.extend({
  cost: z
    .object({
      /** EUR so far for the current server (hours started since createdAt x hourly price). */
      runningEur: z.number(),
      /** EUR per month if it ran all month (Hetzner's monthly cap). */
      monthlyEur: z.number(),
      hourlyEur: z.number(),
    })
    .nullable(),
  /** Bytes this workspace's restore points take in storage; null when not known yet. */
  storageBytes: z.number().nullable(),
  restorePointCount: z.number().nullable(),
  /** `ssh cairn-<name>`. */
  sshAlias: z.string(),
})
export type WorkspaceView = z.infer<typeof workspaceViewSchema>

/** A server labelled managed-by=cairn that the registry does not know. */
export const orphanServerSchema = z
  .object({
    serverId: z.number().int(),
    name: z.string(),
    workspaceId: z.string().nullable(),
    location: z.string(),
    serverType: z.string(),
    status: z.string(),
    createdAt: z.string(),
    ip: z.string().nullable(),
    runningEur: z.number(),
    hourlyEur: z.number(),
    monthlyEur: z.number(),
  })
  .strict()
export type OrphanServer = z.infer<typeof orphanServerSchema>

/** A workspace found in the repository that this desktop's registry does not have. */
export const discoveredWorkspaceSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    /** From the latest restore point's metadata, when it has one. */
    name: z.string().nullable(),
    restorePointCount: z.number(),
    latest: z.string().nullable(),
  })
  .strict()

export const workspaceListSchema = z
  .object({
    workspaces: z.array(workspaceViewSchema),
    orphans: z.array(orphanServerSchema),
    discovered: z.array(discoveredWorkspaceSchema),
    totals: z
      .object({
        runningEur: z.number(),
        monthlyEur: z.number(),
        hourlyEur: z.number(),
        storageBytes: z.number(),
      })
      .strict(),
    /** When the registry was last compared with Hetzner and the repository (null: never). */
    reconciledAt: z.string().nullable(),
    /** Why reconcile could not finish (no token, storage unreachable...), null when it did. */
    reconcileProblem: z.string().nullable(),
  })
  .strict()
export type WorkspaceList = z.infer<typeof workspaceListSchema>

export const workspaceCreateInputSchema = z
  .object({
    name: workspaceNameSchema,
    location: z.string().min(1).max(20),
    serverType: z.string().min(1).max(40),
    image: z.string().min(1).max(100).default('ubuntu-24.04'),
    paths: z.array(absolutePath).min(1).max(20).default(['/home/dev']),
    excludes: z.array(rule).max(1000).default([]),
    includes: z.array(rule).max(1000).default([]),
    includeCredentials: z.boolean().default(false),
    /** Left out: the user's default (settings' preferences.defaultIdleTimeoutMinutes). */
    idleTimeoutMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .nullable()
      .optional(),
    /** Locations Hetzner may use instead when `location` has no capacity (in order). */
    fallbackLocations: z.array(z.string().min(1).max(20)).max(10).default([]),
    /** Start from a restore point (of this or another workspace: a fork). */
    from: z
      .object({ workspaceId: workspaceIdSchema, restorePoint: restorePointRefSchema })
      .strict()
      .optional(),
  })
  .strict()
export type WorkspaceCreateInput = z.infer<typeof workspaceCreateInputSchema>

/** One check of workspaces.preflight. */
export const workspacePreflightCheckSchema = z
  .object({
    id: z.enum(['name', 'token', 'storage', 'masterKey', 'serverType', 'restorePoint']),
    label: z.string(),
    ok: z.boolean(),
    message: z.string(),
  })
  .strict()
export type WorkspacePreflightCheck = z.infer<typeof workspacePreflightCheckSchema>

/** What workspaces.preflight found: every check, the price, the restore point a fork starts from. */
export const workspacePreflightSchema = z
  .object({
    ok: z.boolean(),
    checks: z.array(workspacePreflightCheckSchema),
    offer: z
      .object({
        location: z.string(),
        serverType: z.string(),
        priceHourly: z.string(),
        priceMonthly: z.string(),
      })
      .strict()
      .nullable(),
    restorePoint: z.object({ workspaceId: z.string(), id: z.string() }).strict().nullable(),
  })
  .strict()
export type WorkspacePreflight = z.infer<typeof workspacePreflightSchema>

export const workspaceStartInputSchema = z
  .object({
    id: workspaceIdSchema,
    /** Default: latest. */
    restorePoint: restorePointRefSchema.default('latest'),
    /** Default: the last used. */
    location: z.string().min(1).max(20).optional(),
    serverType: z.string().min(1).max(40).optional(),
    fallbackLocations: z.array(z.string().min(1).max(20)).max(10).default([]),
  })
  .strict()

export const workspaceAdoptSshInputSchema = z
  .object({
    name: workspaceNameSchema,
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
    keyId: z.string().regex(/^[a-z0-9-]{1,64}$/, 'the id of a key from sshKeys.list'),
    /** The host key the user confirmed (from workspaces.probeHostKey): no trust on first use. */
    hostKey: z.string().min(1).max(4000),
    paths: z.array(absolutePath).min(1).max(20),
    excludes: z.array(rule).max(1000).default([]),
    includes: z.array(rule).max(1000).default([]),
    includeCredentials: z.boolean().default(false),
  })
  .strict()

export const hostKeyProbeSchema = z
  .object({
    host: z.string(),
    port: z.number(),
    /** `ssh-ed25519 AAAA...` as presented (the strongest type the server offers). */
    hostKey: z.string(),
    fingerprint: z.string(),
    keyType: z.string(),
  })
  .strict()

export const workspaceOpenCommandSchema = z
  .object({
    /** What Cairn ran (or would run), for people: `code --remote ssh-remote+cairn-web /home/dev`. */
    command: z.string(),
    launched: z.boolean(),
    /** Why it was not launched (e.g. `code` is not on PATH), null when it was. */
    problem: z.string().nullable(),
  })
  .strict()

export const workspaceSecretNameSchema = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]{0,63}$/, 'an environment variable name, like ANTHROPIC_API_KEY')
