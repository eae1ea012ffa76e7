import type { Handlers } from './api/dispatch'
import { EventBus } from './api/event-bus'

export interface CoreOptions {
  /** The app's data directory (settings, registry, logs). Created if missing. */
  dataDir: string
  host: 'electron' | 'headless'
  version: string
}

/** Everything a host (Electron shell, headless host, tests) needs from the core. */
export interface Core {
  handlers: Handlers
  events: EventBus
  dispose(): Promise<void>
}

export async function createCore(options: CoreOptions): Promise<Core> {
  // Placeholder: core services are being built; this throws so nothing silently runs without them.
  void options
  throw new Error('createCore: not implemented yet')
}
