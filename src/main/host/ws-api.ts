import type { RawData, WebSocket } from 'ws'
import { events, isEventName } from '../../shared/contract'
import type { WireError } from '../../shared/errors'
import { wsClientMessageSchema, type WsServerMessage } from '../../shared/rpc'
import { dispatch, type ErrorReporter, type Handlers } from '../core/api/dispatch'
import type { EventBus } from '../core/api/event-bus'

/** More calls than this in flight on one socket are refused rather than queued without bound. */
const MAX_IN_FLIGHT_PER_SOCKET = 64

/**
 * Serves the contract on one authenticated socket. Whatever arrives is untrusted: anything that
 * is not a well-formed call gets an error result (never a crash), and every call goes through
 * `dispatch`, which parses the input and maps errors to safe wire errors.
 */
export function serveSocket(ws: WebSocket, handlers: Handlers, reportError: ErrorReporter): void {
  const abort = new AbortController()
  let inFlight = 0
  ws.on('close', () => abort.abort())
  // A socket error is followed by 'close'; without a listener it would crash the process.
  ws.on('error', () => {})
  ws.on('message', (data: RawData, isBinary: boolean) => {
    void handleMessage(data, isBinary)
  })

  async function handleMessage(data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) return fail(-1, 'Cairn expects JSON text messages.')
    let json: unknown
    try {
      json = JSON.parse(rawToString(data))
    } catch {
      return fail(-1, 'The message is not valid JSON.')
    }
    const message = wsClientMessageSchema.safeParse(json)
    if (!message.success) return fail(idOf(json), 'The message is not a Cairn call.')
    const { id, method, input } = message.data
    if (inFlight >= MAX_IN_FLIGHT_PER_SOCKET) {
      return send(ws, {
        t: 'result',
        id,
        ok: false,
        error: {
          code: 'rate_limited',
          message: 'Too many calls at once; wait for some to finish.',
        },
      })
    }
    inFlight++
    try {
      const ctx = { host: 'headless' as const, signal: abort.signal }
      const result = await dispatch(handlers, method, input, ctx, reportError)
      send(ws, { t: 'result', id, ...result })
    } finally {
      inFlight--
    }
  }

  function fail(id: number, message: string): void {
    const error: WireError = { code: 'invalid_input', message }
    send(ws, { t: 'result', id, ok: false, error })
  }
}

/** Forwards core events to every open socket, each payload parsed by its contract schema. */
export function fanOutEvents(
  bus: EventBus,
  sockets: () => Iterable<WebSocket>,
  reportError: ErrorReporter,
): () => void {
  return bus.subscribe((event, payload) => {
    if (!isEventName(event)) return
    const parsed = events[event].payload.safeParse(payload)
    if (!parsed.success) return reportError(`event ${event}`, parsed.error)
    const text = JSON.stringify({ t: 'event', event, payload: parsed.data })
    for (const ws of sockets()) if (ws.readyState === ws.OPEN) ws.send(text)
  })
}

function send(ws: WebSocket, message: WsServerMessage): void {
  if (ws.readyState !== ws.OPEN) return
  let text: string
  try {
    text = JSON.stringify(message)
  } catch {
    // dispatch parses outputs by the contract, so this is a bug; the caller still gets an answer.
    if (message.t !== 'result') return
    const error: WireError = { code: 'internal', message: 'Cairn could not encode its answer.' }
    text = JSON.stringify({ t: 'result', id: message.id, ok: false, error })
  }
  ws.send(text)
}

function idOf(json: unknown): number {
  const id = (json as { id?: unknown } | null)?.id
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : -1
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return data.toString('utf8')
}
