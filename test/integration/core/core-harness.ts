import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventName } from '../../../src/shared/contract'
import type { CallResult } from '../../../src/shared/rpc'
import { dispatch } from '../../../src/main/core/api/dispatch'
import { createCore, type CoreWithServices } from '../../../src/main/core/app'
import {
  KeytarSecretStore,
  type KeytarApi,
} from '../../../src/main/core/secrets/keytar-secret-store'

/**
 * A real core on a temp data dir, with secrets in the local cloud's private keyring under a
 * service name of its own (so parallel test files never see each other's entries).
 */
export interface Harness {
  core: CoreWithServices
  dataDir: string
  service: string
  call(method: string, input?: unknown): Promise<CallResult>
  /** Events published so far, in order. */
  events: Array<{ event: EventName; payload: unknown }>
  /** settings.json and the log, as text ('' if absent): for "no secret on disk" checks. */
  filesOnDisk(): Promise<string>
  close(): Promise<void>
}

export async function startHarness(): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-core-it-'))
  const service = `Cairn-it-${randomBytes(4).toString('hex')}`
  const secrets = new KeytarSecretStore({ service })
  const core = await createCore({ dataDir, host: 'headless', version: '0.0.0-test', secrets })
  const events: Harness['events'] = []
  core.events.subscribe((event, payload) => events.push({ event, payload }))
  const read = (path: string) => readFile(path, 'utf8').catch(() => '')
  return {
    core,
    dataDir,
    service,
    events,
    call: (method, input = {}) =>
      dispatch(core.handlers, method, input, { host: 'headless' }, (m, e) =>
        core.logger.error(`call ${m} failed`, e),
      ),
    filesOnDisk: async () =>
      [
        await read(join(dataDir, 'settings.json')),
        await read(join(dataDir, 'jobs.json')),
        await read(join(dataDir, 'logs', 'cairn.log')),
      ].join('\n'),
    close: async () => {
      await core.dispose()
      await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
    },
  }
}

/** keytar itself, to check the keychain without going through Cairn's code. */
export async function keytar(): Promise<KeytarApi> {
  const mod = (await import('keytar')) as unknown as { default?: KeytarApi } & KeytarApi
  return mod.default ?? mod
}
