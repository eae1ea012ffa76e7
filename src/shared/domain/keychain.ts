import { z } from 'zod'

export const keychainStatusSchema = z.object({
  available: z.boolean(),
  /** What backs it, e.g. "Secret Service", "macOS Keychain", "Windows Credential Manager". */
  backend: z.string(),
  /** When unavailable: what the user should do to get one. */
  message: z.string().optional(),
})
export type KeychainStatus = z.infer<typeof keychainStatusSchema>
