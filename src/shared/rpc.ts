import { z } from 'zod'
import {
  eventNames,
  methodNames,
  type EventName,
  type EventPayload,
  type MethodInput,
  type MethodName,
  type MethodOutput,
} from './contract'
import { RemoteCallError, wireErrorSchema, type WireError } from './errors'

/** The typed API the renderer sees as `window.cairn`. Derived from the contract. */
export type CairnApi = {
  [M in MethodName]: (input: MethodInput<M>) => Promise<MethodOutput<M>>
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
}

/** What a call returns over any transport. */
export type CallResult = { ok: true; output: unknown } | { ok: false; error: WireError }

/**
 * A transport moves calls and events; it knows nothing of methods. The Electron preload implements
 * it with ipcRenderer, the browser with a WebSocket.
 */
export interface ClientTransport {
  call(method: string, input: unknown): Promise<CallResult>
  subscribe(listener: (event: string, payload: unknown) => void): () => void
}

/**
 * Builds the API object from the contract. It is a plain object with one function per method (not
 * a Proxy) because Electron's contextBridge copies only plain objects and functions.
 */
export function createClient(transport: ClientTransport): CairnApi {
  const api: Record<string, unknown> = {}
  for (const name of methodNames) {
    api[name] = async (input: unknown) => {
      const result = await transport.call(name, input ?? {})
      if (!result.ok) throw new RemoteCallError(result.error)
      return result.output
    }
  }
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let unsubscribe: (() => void) | null = null
  api.on = (event: string, listener: (payload: unknown) => void) => {
    if (!(eventNames as string[]).includes(event)) throw new Error(`unknown event ${event}`)
    if (!unsubscribe) {
      unsubscribe = transport.subscribe((name, payload) => {
        for (const l of listeners.get(name) ?? []) l(payload)
      })
    }
    let set = listeners.get(event)
    if (!set) listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => {
      set.delete(listener)
    }
  }
  return api as CairnApi
}

/** WebSocket wire messages (the headless host). IPC uses invoke/send with the same shapes. */
export const wsClientMessageSchema = z.object({
  t: z.literal('call'),
  id: z.number().int().nonnegative(),
  method: z.string().max(100),
  input: z.unknown(),
})
export type WsClientMessage = z.infer<typeof wsClientMessageSchema>

// A plain union: two members share t: 'result', which a discriminated union refuses (it throws
// "Duplicate discriminator value" on first parse).
export const wsServerMessageSchema = z.union([
  z.object({ t: z.literal('result'), id: z.number(), ok: z.literal(true), output: z.unknown() }),
  z.object({
    t: z.literal('result'),
    id: z.number(),
    ok: z.literal(false),
    error: wireErrorSchema,
  }),
  z.object({ t: z.literal('event'), event: z.string(), payload: z.unknown() }),
])
export type WsServerMessage = z.infer<typeof wsServerMessageSchema>

export { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from './ipc-channels'
