import { HEADLESS_TOKEN_PROTOCOL_PREFIX, HEADLESS_WS_PROTOCOL } from './headless'
import { wsServerMessageSchema, type CallResult, type ClientTransport } from './rpc'
import type { WireError } from './errors'
import type { ConnectionStatusStore } from './connection-status'

/**
 * The part of a WebSocket this transport uses. The factory wires the socket's events to
 * `events`; the browser's WebSocket and the `ws` package both fit, so the same code runs in the
 * page and in tests against a real host, and this file needs neither DOM nor Node types.
 */
export interface SocketLike {
  readonly readyState: number
  send(data: string): void
  close(): void
}

export interface SocketEvents {
  open(): void
  message(data: unknown): void
  close(): void
}

export type SocketFactory = (url: string, protocols: string[], events: SocketEvents) => SocketLike

/** Asks the host whether `token` is its current one (true/false), or null if it cannot tell. */
export type TokenCheck = () => Promise<boolean | null>

export interface WsTransportOptions {
  url: string
  /** null when the page was opened without one: the transport reports 'unauthorized' at once. */
  token: string | null
  createSocket: SocketFactory
  status: ConnectionStatusStore
  checkToken?: TokenCheck
  /** Reconnect delays: `initialMs`, doubling up to `maxMs`. */
  backoff?: { initialMs: number; maxMs: number }
}

export interface WsTransport extends ClientTransport {
  /** Stops reconnecting and fails whatever is pending. */
  close(): void
}

export const UNAUTHORIZED_MESSAGE =
  'This page has no valid access key for Cairn. Open Cairn with the link the host printed when ' +
  'it started (it ends in #token=…); the key changes every time the host starts.'
const LOST_MESSAGE =
  'The connection to Cairn was lost before it answered. It reconnects on its own; try again then.'
const UNREACHABLE_MESSAGE =
  'Cairn is not reachable at this address. Is the host still running? This page keeps retrying.'

const OPEN = 1

interface Pending {
  resolve: (result: CallResult) => void
  /** The text to send; null once sent. */
  text: string | null
}

/**
 * The browser side of the headless host's protocol (src/shared/headless.ts). Calls made while the
 * socket is connecting wait for it; when a connection attempt fails or an open socket drops, every
 * call waiting on it fails with 'unreachable' (the core may or may not have run it, so retrying is
 * the caller's decision), and the transport reconnects with exponential backoff. A token the host
 * refuses ends in 'unauthorized', without retrying.
 */
export function createWsTransport(options: WsTransportOptions): WsTransport {
  const { status } = options
  const backoff = options.backoff ?? { initialMs: 250, maxMs: 10_000 }
  const pending = new Map<number, Pending>()
  const listeners = new Set<(event: string, payload: unknown) => void>()
  let nextId = 1
  let socket: SocketLike | null = null
  let attempt = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  let stopped = false

  const failAll = (error: WireError) => {
    const calls = [...pending.values()]
    pending.clear()
    for (const call of calls) call.resolve({ ok: false, error })
  }

  const unauthorized = () => {
    stopped = true
    status.set('unauthorized', UNAUTHORIZED_MESSAGE)
    failAll({ code: 'unauthorized', message: UNAUTHORIZED_MESSAGE })
  }

  const connect = () => {
    timer = null
    if (stopped) return
    // Once the link has failed, the state stays 'closed' through the retries (no flicker).
    if (status.get().state !== 'closed') status.set('connecting')
    let opened = false
    const ws = options.createSocket(
      options.url,
      [HEADLESS_WS_PROTOCOL, `${HEADLESS_TOKEN_PROTOCOL_PREFIX}${options.token}`],
      {
        open: () => {
          if (socket !== ws) return
          opened = true
          attempt = 0
          status.set('open')
          for (const call of pending.values()) {
            if (call.text !== null) ws.send(call.text)
            call.text = null
          }
        },
        message: (data) => {
          if (socket === ws) receive(data)
        },
        close: () => {
          if (socket !== ws) return
          socket = null
          if (stopped) return
          if (opened) return retry(LOST_MESSAGE)
          void (options.checkToken?.() ?? Promise.resolve(null)).then(
            (valid) => (valid === false ? unauthorized() : retry(UNREACHABLE_MESSAGE)),
            () => retry(UNREACHABLE_MESSAGE),
          )
        },
      },
    )
    socket = ws
  }

  const retry = (message: string) => {
    if (stopped) return
    failAll({ code: 'unreachable', message })
    status.set('closed', message)
    const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt)
    attempt++
    // Jitter, so many tabs do not reconnect in lockstep after the host restarts.
    timer = setTimeout(connect, delay * (0.75 + Math.random() * 0.5))
  }

  const receive = (data: unknown) => {
    if (typeof data !== 'string' && !isBufferLike(data)) return
    let message
    try {
      message = wsServerMessageSchema.safeParse(JSON.parse(String(data)))
    } catch {
      return
    }
    if (!message.success) return
    const m = message.data
    if (m.t === 'event') {
      for (const listener of [...listeners]) listener(m.event, m.payload)
      return
    }
    const call = pending.get(m.id)
    if (!call) return
    pending.delete(m.id)
    call.resolve(m.ok ? { ok: true, output: m.output } : { ok: false, error: m.error })
  }

  if (options.token === null || options.token === '') unauthorized()
  else connect()

  return {
    call(method, input) {
      if (stopped) {
        const unauthorizedNow = status.get().state === 'unauthorized'
        return Promise.resolve({
          ok: false,
          error: unauthorizedNow
            ? { code: 'unauthorized', message: UNAUTHORIZED_MESSAGE }
            : { code: 'unreachable', message: 'The connection to Cairn was closed.' },
        })
      }
      return new Promise<CallResult>((resolve) => {
        const id = nextId++
        const text = JSON.stringify({ t: 'call', id, method, input })
        const live = socket !== null && socket.readyState === OPEN
        pending.set(id, { resolve, text: live ? null : text })
        if (live) socket!.send(text)
      })
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    close() {
      stopped = true
      if (timer !== null) clearTimeout(timer)
      timer = null
      const ws = socket
      socket = null
      ws?.close()
      failAll({ code: 'unreachable', message: 'The connection to Cairn was closed.' })
      if (status.get().state !== 'unauthorized') status.set('closed')
    },
  }
}

function isBufferLike(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'byteLength' in data
}
