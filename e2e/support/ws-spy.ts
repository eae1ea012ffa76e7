import type { Page } from 'playwright-core'

/**
 * Records the contract methods the page calls over the headless host's WebSocket, to prove that
 * something was (or was not) sent: e.g. no storage call while the form has a field error.
 */
export class CallSpy {
  readonly methods: string[] = []

  constructor(page: Page) {
    page.on('websocket', (ws) => {
      ws.on('framesent', (frame) => {
        if (typeof frame.payload !== 'string') return
        try {
          const message = JSON.parse(frame.payload) as { t?: unknown; method?: unknown }
          if (message.t === 'call' && typeof message.method === 'string')
            this.methods.push(message.method)
        } catch {
          // not a contract message
        }
      })
    })
  }

  count(prefix: string): number {
    return this.methods.filter((m) => m.startsWith(prefix)).length
  }
}
