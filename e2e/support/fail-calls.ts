import type { Page } from 'playwright-core'

/** Which contract methods fail, and with what; change `methods` to switch failures on and off. */
export interface FailingCalls {
  methods: Set<string>
  code?: string
  message?: string
}

/**
 * Answers the page's calls of `failing.methods` with an error, as an unreachable storage or
 * Hetzner would, by standing between the page and the host's WebSocket; every other message
 * passes through. Set up before the page (re)loads.
 */
export async function failCalls(page: Page, failing: FailingCalls): Promise<void> {
  await page.routeWebSocket(/.*/, (ws) => {
    const server = ws.connectToServer()
    ws.onMessage((message) => {
      if (typeof message === 'string') {
        const call = JSON.parse(message) as { t?: string; id?: number; method?: string }
        if (call.t === 'call' && call.method !== undefined && failing.methods.has(call.method)) {
          ws.send(
            JSON.stringify({
              t: 'result',
              id: call.id,
              ok: false,
              error: {
                code: failing.code ?? 'storage_failed',
                message:
                  failing.message ??
                  'The storage did not answer. Check the connection and try again.',
              },
            }),
          )
          return
        }
      }
      server.send(message)
    })
    server.onMessage((message) => ws.send(message))
  })
}
