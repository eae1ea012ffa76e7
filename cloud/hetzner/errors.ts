import { defaultMessageFor, defaultStatusFor } from './control-types'

/** An error answer in Hetzner's shape: `{"error":{"code","message","details"}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }

  body(): { error: { code: string; message: string; details: Record<string, unknown> } } {
    return { error: { code: this.code, message: this.message, details: this.details } }
  }
}

export function apiError(
  code: string,
  message = defaultMessageFor(code),
  details: Record<string, unknown> = {},
  status = defaultStatusFor(code),
): ApiError {
  return new ApiError(status, code, message, details)
}

export const unauthorized = () => apiError('unauthorized', 'unable to authenticate')

export const notFound = (what = 'resource') => apiError('not_found', `${what} not found`)

/** invalid_input with the per-field details Hetzner sends. */
export function invalidInput(field: string, ...messages: string[]): ApiError {
  const text = messages.length > 0 ? messages.join(', ') : 'is invalid'
  return apiError('invalid_input', `invalid input in field '${field}': ${text}`, {
    fields: [{ name: field, messages: messages.length > 0 ? messages : ['is invalid'] }],
  })
}

export function uniquenessError(field: string, message: string): ApiError {
  return apiError('uniqueness_error', message, { fields: [{ name: field }] })
}

/** The request body as an object, or invalid_input. */
export function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidInput('body', 'must be a JSON object')
  }
  return body as Record<string, unknown>
}
