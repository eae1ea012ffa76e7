import { CairnError } from '../../../shared/errors'
import type { Logger } from '../logging/logger'
import { HetznerHttpError, NetworkError } from './http-failure'

/**
 * Turns a failed Hetzner call into what the user sees. Hetzner's own error code and message always
 * reach the user (`details.hetznerCode`, `details.hetznerMessage`, and the message text), because
 * they are usually the most precise explanation there is ("server type not available in location").
 * Nothing of the request (URL query, headers, token) is put into the error.
 */
export function hetznerErrorToCairn(error: unknown, host: string, logger: Logger): Error {
  if (error instanceof CairnError) return error
  if (error instanceof NetworkError) {
    return new CairnError(
      'unreachable',
      `Cairn could not reach the Hetzner API at ${host} (${error.reason}). Check your internet connection and the API URL in Settings.`,
    )
  }
  if (error instanceof HetznerHttpError) return httpErrorToCairn(error)
  logger.error('Hetzner request failed unexpectedly', error)
  return new CairnError(
    'internal',
    'Cairn hit an unexpected problem talking to Hetzner. The details are in its log.',
  )
}

function httpErrorToCairn(error: HetznerHttpError): CairnError {
  const detail = error.apiMessage ? `: ${error.apiMessage}` : ''
  const hetzner = { hetznerCode: error.apiCode, hetznerMessage: error.apiMessage }
  if (error.status === 401 || error.apiCode === 'unauthorized') {
    return new CairnError(
      'unauthorized',
      'Hetzner refused this API token. Create a Read & Write token in the Hetzner Cloud Console → Security → API tokens, and paste it again.',
      hetzner,
    )
  }
  if (error.status === 403 || error.apiCode === 'forbidden' || error.apiCode === 'token_readonly') {
    return new CairnError(
      'forbidden',
      `Hetzner did not allow this with the stored token${detail}. Cairn needs a Read & Write token.`,
      hetzner,
    )
  }
  if (error.status === 429 || error.apiCode === 'rate_limit_exceeded') {
    const seconds = Math.max(
      1,
      Math.ceil(((error.retryAt ?? Date.now() + 60_000) - Date.now()) / 1000),
    )
    return new CairnError(
      'rate_limited',
      `Hetzner's API rate limit for this token is used up. Try again in about ${seconds} s.`,
      { retryAfterSeconds: seconds, ...hetzner },
    )
  }
  if (error.apiCode === 'not_found') {
    return new CairnError('not_found', `Hetzner: ${error.apiMessage ?? 'not found'}.`, {
      status: error.status,
      ...hetzner,
    })
  }
  if (error.apiCode === 'uniqueness_error') {
    return new CairnError(
      'conflict',
      `Hetzner refused a duplicate${detail}. Choose another name, or remove the existing one in the Hetzner Cloud Console.`,
      { status: error.status, ...hetzner },
    )
  }
  if (error.apiCode === 'resource_limit_exceeded') {
    return new CairnError(
      'remote_error',
      `Hetzner answered ${error.status} (resource_limit_exceeded)${detail}. Your Hetzner project has reached a limit (servers, cores or similar): delete servers you no longer need or ask Hetzner to raise the limit.`,
      { status: error.status, ...hetzner },
    )
  }
  return new CairnError(
    'remote_error',
    `Hetzner answered ${error.status}${error.apiCode ? ` (${error.apiCode})` : ''}${detail}`,
    { status: error.status, ...hetzner },
  )
}
