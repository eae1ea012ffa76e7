import type { EventName, EventPayload } from '../../../shared/contract'

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void

/** Core services publish here; each transport (IPC, WebSocket) subscribes once and fans out. */
export class EventBus {
  private readonly listeners = new Set<EventListener>()

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) listener(event, payload)
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
