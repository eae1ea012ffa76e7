import { z } from 'zod'
import { storageConfigSchema } from './settings'

/** A storage configuration as the user enters it: the secret travels once, to be kept or tested. */
export const storageInputSchema = z.object({
  config: storageConfigSchema,
  /** S3 secret access key. Omitted: use the one already in the keychain. */
  secretAccessKey: z.string().min(1).max(500).optional(),
})
export type StorageInput = z.infer<typeof storageInputSchema>

export const storageCheckStepSchema = z.object({
  step: z.enum(['connect', 'write', 'read', 'delete']),
  ok: z.boolean(),
  ms: z.number(),
  message: z.string().optional(),
})
export const storageTestResultSchema = z.object({
  ok: z.boolean(),
  steps: z.array(storageCheckStepSchema),
})
export type StorageTestResult = z.infer<typeof storageTestResultSchema>
