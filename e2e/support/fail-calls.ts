import type { Page } from 'playwright-core'

/**
 * Which contract methods fail, and with what, and which are held unanswered (a slow storage or
 * Hetzner); change the sets to switch either on and off.
 */
export interface FailingCalls {
  methods: Set<string>
  hold?: Set<string>
  code?: string
  message?: string
}

export interface CallControl {
  /** Sends the held calls on to the host (their answers then arrive as usual). */
  release(): void
}

/**
 * Answers the page's calls of `failing.methods` with an error, as an unreachable storage or
 * Hetzner would, and holds back those of `failing.hold`, by standing between the page and the
 * host's WebSocket; every other message passes through. Set up before the page (re)loads.
 */
export async function failCalls(page: Page, failing: FailingCalls): Promise<CallControl> {
  const held: Array<() => void> = []
  await page.routeWebSocket(/.*/, (ws) => {
    const server = ws.connectToServer()
    ws.onMessage((message) => {
      if (typeof message === 'string') {
        const call = JSON.parse(message) as { t?: string; id?: number; method?: string }
        const method = call.t === 'call' ? call.method : undefined
        if (method !== undefined && failing.methods.has(method)) {
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
        if (method !== undefined && failing.hold?.has(method)) {
          held.push(() => server.send(message))
          return
        }
      }
      server.send(message)
    })
    server.onMessage((message) => ws.send(message))
  })
  return {
    release() {
      for (const send of held.splice(0)) send()
    },
  }
}
