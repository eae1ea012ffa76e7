import { z } from 'zod'
import { restorePointRefSchema, verifyProblemSchema, workspaceIdSchema } from './backup'

/**
 * Retention (forget by policy), pins and schedules, as the UI sees them. The behaviour behind
 * them is described in docs/schedules-and-retention.md.
 */

const count = z.number().int().min(0).max(100_000)

/**
 * What a workspace keeps. Every rule adds restore points to the kept set (restic's semantics);
 * restore points tagged `stop`, pinned ones and the latest are kept whatever the policy says.
 */
export const retentionPolicySchema = z
  .object({
    /** The newest N restore points. */
    keepLast: count,
    /** The newest restore point of each of the last N hours (UTC) that have one. */
    keepHourly: count,
    keepDaily: count,
    /** ISO weeks (Monday to Sunday, UTC). */
    keepWeekly: count,
    keepMonthly: count,
    /** Every restore point at most this many hours older than the newest one. */
    keepWithinHours: z
      .number()
      .int()
      .min(0)
      .max(24 * 365 * 100),
  })
  .strict()
export type RetentionPolicy = z.infer<typeof retentionPolicySchema>

export const retentionViewSchema = z.object({
  workspaceId: z.string(),
  /** The policy in force: the workspace's own, or the defaults. */
  policy: retentionPolicySchema,
  /** Whether the workspace has a policy of its own (false: the defaults apply). */
  custom: z.boolean(),
  defaults: retentionPolicySchema,
})
export type RetentionView = z.infer<typeof retentionViewSchema>

export const retentionSetInputSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    /** Fields left out keep their current value; null goes back to the defaults. */
    policy: retentionPolicySchema.partial().strict().nullable(),
  })
  .strict()

/** One restore point and what the policy does with it, with every reason. */
export const retentionDecisionSchema = z.object({
  restorePointId: z.string(),
  time: z.string(),
  trigger: z.string(),
  tags: z.array(z.string()),
  pinned: z.boolean(),
  keep: z.boolean(),
  /** e.g. "kept: daily #3", "kept: tagged stop", "removed: beyond every rule". */
  reasons: z.array(z.string()),
})
export type RetentionDecision = z.infer<typeof retentionDecisionSchema>

export const forgetInputSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    /** List what would go and why; change nothing. */
    dryRun: z.boolean().default(false),
    /** Use this policy once instead of the workspace's (fields left out: the defaults). */
    policy: retentionPolicySchema.partial().strict().optional(),
  })
  .strict()

export const forgetResultSchema = z.object({
  workspaceId: z.string(),
  dryRun: z.boolean(),
  policy: retentionPolicySchema,
  /** Newest first. */
  decisions: z.array(retentionDecisionSchema),
  kept: z.number(),
  /** Restore points removed (or, in a dry run, that would be). */
  removed: z.number(),
  /**
   * Forget deletes restore point objects only; the data they alone referenced stays in storage
   * until a prune frees it.
   */
  note: z.string(),
})
export type ForgetResult = z.infer<typeof forgetResultSchema>

export const pinInputSchema = z
  .object({ workspaceId: workspaceIdSchema, restorePoint: restorePointRefSchema })
  .strict()

export const pinSchema = z.object({
  restorePointId: z.string(),
  pinnedAt: z.string(),
  /** The computer that pinned it. */
  hostname: z.string(),
})
export type Pin = z.infer<typeof pinSchema>

/** Per workspace; null switches a schedule off. */
export const scheduleSettingsSchema = z.object({
  workspaceId: z.string(),
  /** Minutes between scheduled backups of the running workspace (default 120). */
  backupEveryMinutes: z.number().int().nullable(),
  /** Hours between verifies of a sample of its restore points (default 168, weekly). */
  verifyEveryHours: z.number().int().nullable(),
  /** Apply the retention policy after each scheduled backup (default true). */
  applyRetention: z.boolean(),
})
export type ScheduleSettings = z.infer<typeof scheduleSettingsSchema>

export const scheduleSetInputSchema = z
  .object({
    workspaceId: workspaceIdSchema,
    backupEveryMinutes: z
      .number()
      .int()
      .min(5)
      .max(60 * 24 * 31)
      .nullable()
      .optional(),
    verifyEveryHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 366)
      .nullable()
      .optional(),
    applyRetention: z.boolean().optional(),
  })
  .strict()

/**
 * What a workspace without schedules of its own follows (kept in schedules.json, changed in
 * Settings): the same fields as its own settings, null switching a schedule off.
 */
export const scheduleDefaultsSchema = z.object({
  backupEveryMinutes: z.number().int().nullable(),
  verifyEveryHours: z.number().int().nullable(),
  applyRetention: z.boolean(),
})
export type ScheduleDefaults = z.infer<typeof scheduleDefaultsSchema>

/** Fields left out stay; null switches that schedule off for every workspace following them. */
export const scheduleDefaultsSetInputSchema = scheduleSetInputSchema
  .omit({ workspaceId: true })
  .strict()

export const retentionDefaultsSetInputSchema = z
  .object({
    /** Fields left out stay; null goes back to Cairn's built-in policy. */
    policy: retentionPolicySchema.partial().strict().nullable(),
  })
  .strict()

/** Both defaults at once, as the defaults-changed event carries them. */
export const maintenanceDefaultsSchema = z.object({
  schedule: scheduleDefaultsSchema,
  retention: retentionPolicySchema,
})
export type MaintenanceDefaults = z.infer<typeof maintenanceDefaultsSchema>

export const scheduledRunSchema = z.object({
  at: z.string(),
  ok: z.boolean(),
  message: z.string().nullable(),
  jobId: z.string().nullable(),
})

/** What the last scheduled verify found. */
export const verifyRunResultSchema = scheduledRunSchema.extend({
  restorePointsChecked: z.array(z.string()),
  /** Restore points that could not be read at all. */
  damagedRestorePoints: z.array(z.string()),
  problems: z.array(verifyProblemSchema.extend({ restorePointId: z.string() })),
})
export type VerifyRunResult = z.infer<typeof verifyRunResultSchema>

export const retentionRunSchema = scheduledRunSchema.extend({
  kept: z.number(),
  removed: z.number(),
})

export const scheduleStatusSchema = z.object({
  workspaceId: z.string(),
  name: z.string(),
  settings: scheduleSettingsSchema,
  backup: z.object({
    /** Null: off, or the workspace is not running (nothing new to back up). */
    nextRunAt: z.string().nullable(),
    last: scheduledRunSchema.nullable(),
  }),
  verify: z.object({ nextRunAt: z.string().nullable(), last: verifyRunResultSchema.nullable() }),
  retention: z.object({ last: retentionRunSchema.nullable() }),
})
export type ScheduleStatus = z.infer<typeof scheduleStatusSchema>
