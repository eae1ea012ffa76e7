import { describe, expect, it } from 'vitest'
import { RemoteCallError } from '../../../src/shared/errors'
import {
  fieldIssues,
  hetznerErrorHeading,
  retryAfterSeconds,
  toUiError,
} from '../../../src/renderer/src/lib/errors'

describe('error wording', () => {
  it('gives each Hetzner failure its own heading', () => {
    const base = 'http://127.0.0.1:4010/v1'
    const headings = (
      [
        'unauthorized',
        'unreachable',
        'rate_limited',
        'invalid_input',
        'keychain_unavailable',
      ] as const
    ).map((code) => hetznerErrorHeading({ code, message: '' }, base))
    expect(new Set(headings).size).toBe(headings.length)
    expect(headings[1]).toBe('Cannot reach the Hetzner API at 127.0.0.1:4010')
  })

  it('keeps the code and message of a remote error', () => {
    const error = toUiError(new RemoteCallError({ code: 'unauthorized', message: 'No.' }))
    expect(error).toMatchObject({ code: 'unauthorized', message: 'No.' })
  })

  it('reads a retry delay from the details when the core sends one', () => {
    expect(
      retryAfterSeconds({
        code: 'rate_limited',
        message: '',
        details: { retryAfterSeconds: 12.2 },
      }),
    ).toBe(13)
    expect(retryAfterSeconds({ code: 'rate_limited', message: '' })).toBeNull()
  })

  it('maps contract violations to form fields', () => {
    const error = {
      code: 'invalid_input' as const,
      message:
        'config.bucket: bucket names use a-z; config.endpoint: Invalid URL; secretAccessKey: Too small',
    }
    expect(fieldIssues(error, 'config.')).toEqual({
      bucket: 'bucket names use a-z',
      endpoint: 'Invalid URL',
    })
    expect(fieldIssues(error, '').secretAccessKey).toBe('Too small')
  })
})
