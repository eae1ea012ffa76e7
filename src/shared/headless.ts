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
