import { RemoteCallError, type ErrorCode } from '../../../shared/errors'
import { hostOf } from './format'

/** An error as the screens hold it: a code to choose wording by, and the core's message. */
export interface UiError {
  code: ErrorCode
  message: string
  details?: Record<string, unknown> | undefined
}

export function toUiError(error: unknown): UiError {
  if (error instanceof RemoteCallError) {
    return { code: error.code, message: error.message, details: error.details }
  }
  if (isWireLike(error)) return error
  // Anything else failed before reaching the core: the connection, not the request.
  return {
    code: 'unreachable',
    message:
      error instanceof Error && error.message
        ? `Cairn could not complete the request: ${error.message}`
        : 'Cairn could not complete the request.',
  }
}

function isWireLike(value: unknown): value is UiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  )
}

/** Seconds to wait, when the core passed the remote's Retry-After / rate-limit reset along. */
export function retryAfterSeconds(error: UiError): number | null {
  const details = error.details ?? {}
  for (const key of ['retryAfterSeconds', 'retryAfter', 'retry_after']) {
    const value = details[key]
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.ceil(value)
  }
  return null
}

export function hetznerErrorHeading(error: UiError, apiBase: string): string {
  switch (error.code) {
    case 'unauthorized':
      return 'Hetzner refused this token'
    case 'forbidden':
      return 'This token lacks a permission Cairn needs'
    case 'unreachable':
      return `Cannot reach the Hetzner API at ${hostOf(apiBase)}`
    case 'rate_limited':
      return 'Hetzner is rate-limiting requests'
    case 'invalid_input':
      return 'This does not look like a Hetzner API token'
    case 'keychain_unavailable':
      return 'There is no keychain to keep the token in'
    case 'not_configured':
      return 'No Hetzner token is stored'
    case 'remote_error':
      return 'Hetzner answered with an error'
    default:
      return 'The token could not be checked'
  }
}

export function storageErrorHeading(error: UiError, endpoint: string | null): string {
  switch (error.code) {
    case 'unauthorized':
      return 'The storage refused these credentials'
    case 'forbidden':
      return 'These credentials lack a permission Cairn needs'
    case 'unreachable':
      return endpoint
        ? `Cannot reach the storage at ${hostOf(endpoint)}`
        : 'Cannot reach the storage'
    case 'rate_limited':
      return 'The storage is rate-limiting requests'
    case 'invalid_input':
      return 'Some settings are not valid'
    case 'keychain_unavailable':
      return 'There is no keychain to keep the secret key in'
    case 'not_found':
      return 'The bucket or folder does not exist'
    case 'storage_failed':
      return 'The storage check failed'
    default:
      return 'The storage could not be checked'
  }
}

export function genericErrorHeading(error: UiError): string {
  switch (error.code) {
    case 'unreachable':
      return 'Cairn is not reachable'
    case 'keychain_unavailable':
      return 'No keychain available'
    case 'unauthorized':
      return 'Not allowed'
    default:
      return 'Something went wrong'
  }
}

/**
 * The core reports contract violations as "config.bucket: message; config.endpoint: message".
 * This picks out the ones that belong to a form field so they can be shown next to it.
 */
export function fieldIssues(error: UiError, prefix: string): Record<string, string> {
  const result: Record<string, string> = {}
  if (error.code !== 'invalid_input') return result
  for (const part of error.message.split('; ')) {
    const colon = part.indexOf(': ')
    if (colon < 0) continue
    const path = part.slice(0, colon)
    if (!path.startsWith(prefix)) continue
    const field = path.slice(prefix.length)
    if (field && !(field in result)) result[field] = part.slice(colon + 2)
  }
  return result
}
