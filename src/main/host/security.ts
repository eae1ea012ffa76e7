import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { headlessCsp } from '../../shared/csp'
import { HEADLESS_TOKEN_PROTOCOL_PREFIX, HEADLESS_WS_PROTOCOL } from '../../shared/headless'

/** 256 random bits, URL- and header-safe (base64url is a valid subprotocol token). */
export function createAccessToken(): string {
  return randomBytes(32).toString('base64url')
}

/** Constant-time: both sides are hashed first so neither length nor content leaks through time. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

/**
 * DNS rebinding defence: a page from evil.example that rebinds its name to 127.0.0.1 still sends
 * `Host: evil.example:PORT`. Only the two names the host prints are accepted.
 */
export function isAllowedHost(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`
}

/**
 * Cross-site WebSocket hijacking defence: browsers always send Origin on a WebSocket handshake,
 * and it must be the page this host served, on the very name the request was sent to.
 */
export function isSameOrigin(req: IncomingMessage, port: number): boolean {
  if (!isAllowedHost(req, port)) return false
  return req.headers.origin === `http://${req.headers.host}`
}

/** True when the handshake offers `cairn.v1` and `cairn.v1.<the token>`. */
export function hasValidProtocolToken(req: IncomingMessage, token: string): boolean {
  const offered = (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
  if (!offered.includes(HEADLESS_WS_PROTOCOL)) return false
  const candidate = offered.find((p) => p.startsWith(HEADLESS_TOKEN_PROTOCOL_PREFIX))
  if (candidate === undefined) return false
  return tokensEqual(candidate.slice(HEADLESS_TOKEN_PROTOCOL_PREFIX.length), token)
}

export function hasValidBearerToken(req: IncomingMessage, token: string): boolean {
  const match = /^Bearer ([A-Za-z0-9_-]{1,200})$/.exec(req.headers.authorization ?? '')
  return match?.[1] !== undefined && tokensEqual(match[1], token)
}

/** Sent with every HTTP response, errors included. */
export function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': headlessCsp(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  }
}
