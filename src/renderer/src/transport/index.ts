import type { CairnApi } from '../../../shared/rpc'

declare global {
  interface Window {
    /** Set by the Electron preload; in a browser, installed by ensureCairnApi(). */
    cairn?: CairnApi
  }
}

/**
 * Returns the API: the preload's under Electron, otherwise a WebSocket client of the headless
 * host. Placeholder until the browser transport is written.
 */
export function ensureCairnApi(): CairnApi {
  if (window.cairn) return window.cairn
  throw new Error('ensureCairnApi: browser transport not implemented yet')
}
