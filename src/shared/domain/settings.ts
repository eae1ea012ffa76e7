import { z } from 'zod'

export const DEFAULT_HETZNER_API_BASE = 'https://api.hetzner.cloud/v1'

/** Non-secret storage configuration. Secrets (the S3 secret key) live in the keychain only. */
export const storageConfigSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('s3'),
    endpoint: z.url({ protocol: /^https?$/ }).max(500),
    region: z.string().min(1).max(64).default('auto'),
    bucket: z
      .string()
      .min(3)
      .max(63)
      .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'bucket names use a-z, 0-9, dots and dashes'),
    prefix: z.string().max(200).default(''),
    accessKeyId: z.string().min(1).max(200),
    forcePathStyle: z.boolean().default(true),
  }),
  z.object({
    kind: z.literal('folder'),
    path: z.string().min(1).max(4096),
  }),
])
export type StorageConfig = z.infer<typeof storageConfigSchema>

/** Which desktop notifications to show: everything, only warnings and errors, or none. */
export const notificationLevelSchema = z.enum(['all', 'problems', 'off'])
export type NotificationLevel = z.infer<typeof notificationLevelSchema>

/** Minutes without activity before a workspace is auto-stopped (a week at most). */
export const idleTimeoutMinutesSchema = z
  .number()
  .int()
  .min(5)
  .max(7 * 24 * 60)

/** What a new workspace's auto-stop starts from unless set: 30 idle minutes. */
export const DEFAULT_IDLE_TIMEOUT_MINUTES = 30

/** Desktop preferences (not secrets). Added in settings format 1 with defaults, so old files read. */
export const preferencesSchema = z.object({
  notificationLevel: notificationLevelSchema.default('all'),
  /** Start Cairn (in the tray) when the user logs in; applied by the Electron shell. */
  launchAtLogin: z.boolean().default(false),
  /** The auto-stop a new workspace starts with (null: off); its create form starts from it. */
  defaultIdleTimeoutMinutes: idleTimeoutMinutesSchema
    .nullable()
    .default(DEFAULT_IDLE_TIMEOUT_MINUTES),
})
export type Preferences = z.infer<typeof preferencesSchema>

export const settingsSchema = z.object({
  hetznerApiBase: z.url({ protocol: /^https?$/ }).default(DEFAULT_HETZNER_API_BASE),
  storage: storageConfigSchema.nullable().default(null),
  preferences: preferencesSchema.default({
    notificationLevel: 'all',
    launchAtLogin: false,
    defaultIdleTimeoutMinutes: DEFAULT_IDLE_TIMEOUT_MINUTES,
  }),
})
export type Settings = z.infer<typeof settingsSchema>

/** What the UI is told about settings: the same, plus which secrets exist (never their values). */
export const settingsViewSchema = settingsSchema.extend({
  hasHetznerToken: z.boolean(),
  hasStorageSecret: z.boolean(),
})
export type SettingsView = z.infer<typeof settingsViewSchema>
