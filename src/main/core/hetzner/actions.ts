import { z } from 'zod'
import { CairnError } from '../../../shared/errors'
import { sleep } from '../net/retry'
import { apiActionSchema } from './api-schemas'
import type { HetznerClient } from './hetzner-client'
import { parseAnswer } from './hetzner-client'
import { toAction, type HetznerAction } from './types'

export interface WaitForActionsOptions {
  signal?: AbortSignal
  /** Give up after this long (the action keeps running at Hetzner). Default 10 minutes. */
  timeoutMs?: number
  /** Time between polls. Default 1 s (each poll costs one request of the 3600/h budget). */
  pollIntervalMs?: number
  /** Told whenever an action's status or progress changed. */
  onProgress?: (actions: HetznerAction[]) => void
}

const actionAnswer = z.object({ action: apiActionSchema })

export class HetznerActions {
  constructor(private readonly client: HetznerClient) {}

  async get(id: number, signal?: AbortSignal): Promise<HetznerAction> {
    const body = await this.client.request('GET', `/actions/${id}`, { signal })
    return toAction(parseAnswer(actionAnswer, body, 'an action').action)
  }

  /**
   * Polls until every action has succeeded. The first one that ends in `error` fails the wait with
   * Hetzner's code and message; running past `timeoutMs` fails it naming the action.
   */
  async waitFor(
    actions: Array<number | HetznerAction>,
    options: WaitForActionsOptions = {},
  ): Promise<HetznerAction[]> {
    const timeoutMs = options.timeoutMs ?? 600_000
    const interval = options.pollIntervalMs ?? 1_000
    const deadline = Date.now() + timeoutMs
    let current = await Promise.all(
      actions.map((a) => (typeof a === 'number' ? this.get(a, options.signal) : a)),
    )
    let last = ''
    for (;;) {
      const seen = JSON.stringify(current.map((a) => [a.id, a.status, a.progress]))
      if (seen !== last) options.onProgress?.(current)
      last = seen
      const failed = current.find((a) => a.status === 'error')
      if (failed) throw actionFailed(failed)
      const running = current.filter((a) => a.status === 'running')
      if (running.length === 0) return current
      if (Date.now() + interval > deadline) throw actionTimedOut(running[0]!, timeoutMs)
      await sleep(interval, options.signal)
      current = await Promise.all(
        current.map((a) => (a.status === 'running' ? this.get(a.id, options.signal) : a)),
      )
    }
  }
}

export function actionFailed(action: HetznerAction): CairnError {
  const code = action.error?.code ?? 'unknown'
  const message = action.error?.message ?? 'no reason given'
  return new CairnError(
    'remote_error',
    `Hetzner's ${action.command} action failed (${code}): ${message}.`,
    {
      hetznerCode: code,
      hetznerMessage: message,
      actionId: action.id,
      command: action.command,
    },
  )
}

function actionTimedOut(action: HetznerAction, timeoutMs: number): CairnError {
  return new CairnError(
    'remote_error',
    `Hetzner's ${action.command} action was still running after ${Math.round(timeoutMs / 1000)} s ` +
      `(${action.progress}% done). It may still finish; check the server in the Hetzner Cloud Console.`,
    { actionId: action.id, command: action.command, timeoutMs },
  )
}
