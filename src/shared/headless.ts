/**
 * How the browser transport reaches the headless host. Both sides import these, so the
 * handshake cannot drift.
 *
 * Authentication: the host prints `http://127.0.0.1:PORT/#token=<token>`. The fragment is never
 * sent in an HTTP request, so the token stays out of request lines, logs and Referer headers.
 * The page offers two WebSocket subprotocols, `cairn.v1` and `cairn.v1.<token>`; the host checks
 * the second before the upgrade and answers with the first, so the token is not echoed back.
 */
export const HEADLESS_WS_PATH = '/api'
export const HEADLESS_WS_PROTOCOL = 'cairn.v1'
export const HEADLESS_TOKEN_PROTOCOL_PREFIX = 'cairn.v1.'
/** The fragment parameter of the printed URL that holds the token. */
export const HEADLESS_TOKEN_HASH_PARAM = 'token'
/**
 * A browser cannot read why a WebSocket upgrade failed, so after a failed first connection the
 * page asks here (token in an Authorization header) whether its token is the problem: 204 yes it
 * is valid, 401 no.
 */
export const HEADLESS_SESSION_PATH = '/api/session'
/** The largest WebSocket message either side accepts. */
export const HEADLESS_MAX_MESSAGE_BYTES = 1024 * 1024

const STORAGE_KEY = 'cairn.accessToken'

interface PageLocation {
  readonly hash: string
  readonly pathname: string
  readonly search: string
}
interface PageHistory {
  replaceState(data: unknown, unused: string, url?: string): void
}
interface PageStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

/**
 * Takes the access token out of the address (`#token=…`), so it is not left in the address bar,
 * the history or a bookmark, and keeps it in sessionStorage: it survives a reload of this tab and
 * dies with it. A token in the address wins over a stored one (the host restarted, new link).
 */
export function takeAccessToken(
  location: PageLocation,
  history: PageHistory,
  storage: PageStorage | null,
): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''))
  const fromHash = params.get(HEADLESS_TOKEN_HASH_PARAM)
  if (fromHash !== null) {
    params.delete(HEADLESS_TOKEN_HASH_PARAM)
    const rest = params.toString()
    history.replaceState(
      null,
      '',
      `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`,
    )
    if (fromHash) {
      try {
        storage?.setItem(STORAGE_KEY, fromHash)
      } catch {
        // Storage disabled: the token still works until this page is reloaded.
      }
      return fromHash
    }
  }
  try {
    return storage?.getItem(STORAGE_KEY) || null
  } catch {
    return null
  }
}
