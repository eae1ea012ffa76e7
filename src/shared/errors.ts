import { z } from 'zod'

/**
 * Every error that crosses a process boundary has one of these codes. The renderer chooses its
 * wording and recovery action by code, so codes are a closed set and messages are for people.
 */
export const errorCodes = [
  'invalid_input', // the request did not match the contract
  'unknown_method',
  'unauthorized', // a credential was refused (Hetzner token, S3 keys)
  'host_key_mismatch', // an SSH server presented a host key other than the pinned one
  'forbidden', // the credential works but lacks a permission
  'unreachable', // network error, DNS, refused connection, timeout
  'rate_limited', // the remote asked us to slow down
  'remote_error', // the remote answered with an error we pass on
  'keychain_unavailable', // no Secret Service / keychain to store secrets in
  'not_configured', // a step needs something the user has not set up yet
  'not_found',
  'conflict', // e.g. a second mutating job on the same workspace
  'cancelled',
  'interrupted', // the app stopped (crash, power loss) while a job was running
  'storage_failed',
  'internal',
] as const
export type ErrorCode = (typeof errorCodes)[number]

export const wireErrorSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
})
export type WireError = z.infer<typeof wireErrorSchema>

/**
 * The one error type the core throws on purpose. Its message must be safe to show: no secret, no
 * stack, no path of another user. Anything else that escapes a handler becomes `internal`.
 */
export class CairnError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message)
    this.name = 'CairnError'
    this.code = code
    this.details = details
  }
  toWire(): WireError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

/** What a client receives when a call fails: the wire error rebuilt as an Error. */
export class RemoteCallError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined
  constructor(error: WireError) {
    super(error.message)
    this.name = 'RemoteCallError'
    this.code = error.code
    this.details = error.details
  }
}
