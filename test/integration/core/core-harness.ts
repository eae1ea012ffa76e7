import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventName } from '../../../src/shared/contract'
import type { Job } from '../../../src/shared/domain/jobs'
import type { CallResult } from '../../../src/shared/rpc'
import { dispatch } from '../../../src/main/core/api/dispatch'
import { createCore, type CoreWithServices } from '../../../src/main/core/app'
import {
  KeytarSecretStore,
  type KeytarApi,
} from '../../../src/main/core/secrets/keytar-secret-store'
import { cloudInfo } from '../../support/cloud-info'

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

/** A call's output, or the call's error as a thrown Error (code and message). */
export function ok<T>(result: CallResult): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
  return result.output as T
}

/** The job's last state once it left running/queued, from the harness's job.updated events. */
export async function finished(h: Harness, id: string, timeoutMs = 60_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const last = h.events
      .filter((e) => e.event === 'job.updated' && (e.payload as Job).id === id)
      .map((e) => e.payload as Job)
      .at(-1)
    if (last && last.state !== 'running' && last.state !== 'queued') return last
    if (Date.now() > deadline) throw new Error(`job ${id} still ${last?.state} (${last?.phase})`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** Starts a job through `method`, waits for it and reads its result (jobs.result). */
export async function runJob<T = unknown>(
  h: Harness,
  method: string,
  input: unknown,
): Promise<{ job: Job; result: T }> {
  const started = ok<Job>(await h.call(method, input))
  const done = await finished(h, started.id)
  return { job: done, result: ok<T>(await h.call('jobs.result', { id: done.id })) }
}

/**
 * Saves storage through storage.save: a folder (created) or a prefix of the local cloud's S3
 * bucket, with the secret going to the harness's keychain service.
 */
export async function saveStorage(
  h: Harness,
  target: { kind: 'folder'; path: string } | { kind: 's3'; prefix: string },
): Promise<void> {
  if (target.kind === 'folder') {
    await mkdir(target.path, { recursive: true })
    ok(await h.call('storage.save', { config: { kind: 'folder', path: target.path } }))
    return
  }
  const s3 = cloudInfo().s3
  ok(
    await h.call('storage.save', {
      config: {
        kind: 's3',
        endpoint: s3.endpoint,
        region: s3.region,
        bucket: s3.bucket,
        prefix: target.prefix,
        accessKeyId: s3.accessKeyId,
        forcePathStyle: true,
      },
      secretAccessKey: s3.secretAccessKey,
    }),
  )
}
