import { randomBytes } from 'node:crypto'
import { CairnError } from '../../../shared/errors'
import type { StorageTestResult } from '../../../shared/domain/storage'
import type { ObjectStore } from './object-store'

export const CONNECTION_TEST_PREFIX = 'cairn-connection-test/'

type Step = StorageTestResult['steps'][number]

/**
 * Proves a store works end to end, the way Cairn will use it: list (connect), a create-only write
 * of a small random object, a read compared byte for byte, and a delete. Stops at the first failed
 * step with its message; leaves nothing behind if the write succeeded.
 */
export async function testStorage(
  store: ObjectStore,
  options: { signal?: AbortSignal } = {},
): Promise<StorageTestResult> {
  const signal = options.signal
  const key = `${CONNECTION_TEST_PREFIX}${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`
  const body = randomBytes(1024 + Math.floor(Math.random() * 1024))
  const steps: Step[] = []
  let written = false

  const run = async (step: Step['step'], fn: () => Promise<void>): Promise<boolean> => {
    const started = performance.now()
    try {
      await fn()
      steps.push({ step, ok: true, ms: elapsed(started) })
      return true
    } catch (error) {
      steps.push({ step, ok: false, ms: elapsed(started), message: messageOf(error) })
      return false
    }
  }

  const ok =
    (await run('connect', async () => {
      // One list request: it needs working credentials and an existing bucket/folder.
      for await (const _ of store.list(CONNECTION_TEST_PREFIX, signal ? { signal } : {})) break
    })) &&
    (await run('write', async () => {
      await store.put(key, body, { createOnly: true, ...(signal ? { signal } : {}) })
      written = true
    })) &&
    (await run('read', async () => {
      const back = await store.get(key, signal ? { signal } : {})
      if (!Buffer.from(back).equals(body)) {
        throw new CairnError(
          'storage_failed',
          `The storage returned different bytes than Cairn wrote (${back.byteLength} instead of ${body.byteLength} bytes). It may be altering uploads; Cairn cannot keep backups there.`,
        )
      }
    })) &&
    (await run('delete', async () => {
      await store.delete(key, signal ? { signal } : {})
      written = false
    }))

  if (written) await store.delete(key).catch(() => {})
  return { ok, steps }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started)
}

function messageOf(error: unknown): string {
  if (error instanceof CairnError) return error.message
  return 'Cairn hit an unexpected problem. The details are in its log.'
}
