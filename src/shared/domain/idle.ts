import { z } from 'zod'
import { workspaceIdSchema } from './backup'

/** Idle detection and auto-stop, as the UI sees it. Times are ISO strings on the desktop clock. */

export const idleSignalKinds = [
  'terminal',
  'login',
  'vscode',
  'agent',
  'cpu',
  'files',
  'start',
] as const

export const idleSignalSchema = z
  .object({
    kind: z.enum(idleSignalKinds),
    at: z.string(),
    /** For people: "input on /dev/pts/1 (bash)", "claude working (CPU 12%)". */
    detail: z.string(),
  })
  .strict()
export type IdleSignal = z.infer<typeof idleSignalSchema>

export const idleStates = [
  /** Not probed successfully yet. */
  'unknown',
  'active',
  'idle',
  /** A stop is announced for `stopAt`; the user can postpone. */
  'warn',
  /** Cairn asked for the workspace to be stopped. */
  'stopping',
  /** Auto-stop is off for this workspace, or paused for all. */
  'disabled',
] as const

export const idleStateSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    state: z.enum(idleStates),
    disabledReason: z.enum(['off', 'paused']).nullable(),
    /** null: auto-stop is off for this workspace. */
    timeoutMinutes: z.number().int().positive().nullable(),
    /** The last activity (or the start), i.e. since when the workspace has been idle. */
    idleSince: z.string().nullable(),
    /** When it stops if nothing happens (shown as a countdown once `state` is warn). */
    stopAt: z.string().nullable(),
    lastActivity: idleSignalSchema.nullable(),
    /** The latest activity per signal. */
    signals: z.array(idleSignalSchema),
    postponedUntil: z.string().nullable(),
    pausedUntil: z.string().nullable(),
    /** The last successful check. */
    checkedAt: z.string().nullable(),
    /** Whether the last check could measure CPU use (needs two checks close together). */
    cpuKnown: z.boolean(),
    /** Share of one core the workspace's processes used since the check before (0.35 = 35%). */
    cpu: z.number().nullable(),
    sessions: z.array(
      z
        .object({
          user: z.string(),
          tty: z.string(),
          client: z.string().nullable(),
          startedAt: z.string(),
          inputAt: z.string().nullable(),
        })
        .strict(),
    ),
    agents: z.array(
      z
        .object({
          name: z.string(),
          pid: z.number().int(),
          startedAt: z.string(),
          cpu: z.number().nullable(),
        })
        .strict(),
    ),
    vscodeWindows: z.number().int().nonnegative(),
    /** Checks are failing: the state above is the last one known. Failures never stop anything. */
    probeError: z
      .object({ message: z.string(), since: z.string(), failures: z.number().int().positive() })
      .strict()
      .nullable(),
    /** The last automatic stop failed (the workspace keeps running); Cairn tries again later. */
    stopError: z.object({ message: z.string(), at: z.string() }).strict().nullable(),
  })
  .strict()
export type IdleState = z.infer<typeof idleStateSchema>

export const idleWarningSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    stopAt: z.string(),
    /** For people: why Cairn thinks the workspace is idle. */
    reason: z.string(),
    lastActivity: idleSignalSchema.nullable(),
  })
  .strict()

export const idleStopSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    reason: z.string(),
    idleSince: z.string(),
    lastActivity: idleSignalSchema.nullable(),
  })
  .strict()

export const idlePauseSchema = z.object({ pausedUntil: z.string().nullable() }).strict()

export const idleSettingsSchema = z
  .object({
    /** When Cairn quits, stop every running workspace (back up, check, delete the server). */
    stopAllOnQuit: z.boolean(),
  })
  .strict()
export type IdleSettings = z.infer<typeof idleSettingsSchema>
