import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventName } from '../../../src/shared/contract'
import type { Job } from '../../../src/shared/domain/jobs'
import type { WorkspaceView } from '../../../src/shared/domain/workspace'
import type { CallResult } from '../../../src/shared/rpc'
import { dispatch } from '../../../src/main/core/api/dispatch'
import { createCore, type CoreWithServices } from '../../../src/main/core/app'
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytar-secret-store'
import type { WorkspaceOptions } from '../../../src/main/core/workspaces/workspace-context'
import type { SchedulerOptions } from '../../../src/main/core/schedules/scheduler'
import { cloudInfo, hetznerControl, newHetznerProject } from '../../support/cloud-info'

/**
 * A real core set up the way a user leaves it after onboarding, for workspace tests: its own temp
 * data dir and ssh config, its own fake-Hetzner project (token stored through the API), storage
 * (a folder, or s3rver under a prefix of its own) and a repository with a master key, secrets in
 * the local cloud's keyring under a service name of its own. Two harnesses may share `dataDir`
 * (a restart after a kill) by passing `reuse`.
 */
export interface WorkspaceHarness {
  core: CoreWithServices
  dataDir: string
  sshConfigPath: string
  project: { id: string; token: string; url: string; sshPort: number }
  control: ReturnType<typeof hetznerControl>
  /** Where restore points go: the folder, or the S3 prefix. */
  storage: { kind: 'folder'; path: string } | { kind: 's3'; bucket: string; prefix: string }
  events: Array<{ event: EventName; payload: unknown }>
  call(method: string, input?: unknown): Promise<CallResult>
  /** call, throwing `code: message` when the call failed. */
  ok<T>(method: string, input?: unknown): Promise<T>
  /** Waits for a job's final state (from job.updated events). */
  finished(jobId: string, timeoutMs?: number): Promise<Job>
  jobEvents(jobId: string): Job[]
  workspace(id: string): Promise<WorkspaceView>
  /** Disposes the core; keeps the data dir (for a restart) unless `remove`. */
  close(options?: { remove?: boolean }): Promise<void>
}

export interface HarnessOptions {
  storage?: 'folder' | 's3'
  /** Start a second core on an existing harness's data, keychain service and project. */
  reuse?: Pick<WorkspaceHarness, 'dataDir' | 'sshConfigPath' | 'project' | 'storage'> & {
    service: string
  }
  workspaces?: WorkspaceOptions
  /** The scheduler's clock and tick interval (schedule tests drive it with tick()). */
  schedules?: SchedulerOptions
}

export async function startWorkspaceHarness(
  options: HarnessOptions = {},
): Promise<WorkspaceHarness & { service: string }> {
  const reuse = options.reuse
  const dataDir = reuse?.dataDir ?? (await mkdtemp(join(tmpdir(), 'cairn-ws-it-')))
  const sshConfigPath = reuse?.sshConfigPath ?? join(dataDir, 'user-ssh', 'config')
  const service = reuse?.service ?? `Cairn-ws-${randomBytes(4).toString('hex')}`
  const project = reuse?.project ?? (await newHetznerProject())
  const secrets = new KeytarSecretStore({ service })
  const core = await createCore({
    dataDir,
    host: 'headless',
    version: '0.0.0-test',
    secrets,
    workspaces: {
      sshConfigPath,
      vmSshPort: project.sshPort,
      readinessTimeouts: { server: 60_000, ssh: 60_000, 'cloud-init': 60_000 },
      pollIntervalMs: 200,
      ...options.workspaces,
    },
    ...(options.schedules ? { schedules: options.schedules } : {}),
  })
  const events: WorkspaceHarness['events'] = []
  core.events.subscribe((event, payload) => events.push({ event, payload }))
  // Recovery of interrupted operations and the start-up tasks run first, as after a real start.
  await core.workspaces.startup()
  const call = (method: string, input: unknown = {}) =>
    dispatch(core.handlers, method, input, { host: 'headless' }, (m, e) =>
      core.logger.error(`call ${m} failed`, e),
    )
  const ok = async <T>(method: string, input: unknown = {}): Promise<T> => {
    const result = await call(method, input)
    if (!result.ok) throw new Error(`${method}: ${result.error.code}: ${result.error.message}`)
    return result.output as T
  }
  const jobEvents = (id: string) =>
    events
      .filter((e) => e.event === 'job.updated' && (e.payload as Job).id === id)
      .map((e) => e.payload as Job)

  let storage: WorkspaceHarness['storage']
  if (reuse) {
    storage = reuse.storage
  } else {
    await ok('settings.setHetznerApiBase', { url: project.url })
    await ok('hetzner.setToken', { token: project.token })
    if ((options.storage ?? 'folder') === 'folder') {
      const path = join(dataDir, 'repo')
      const { mkdir } = await import('node:fs/promises')
      await mkdir(path)
      await ok('storage.save', { config: { kind: 'folder', path } })
      storage = { kind: 'folder', path }
    } else {
      const s3 = cloudInfo().s3
      const prefix = `ws-it-${randomBytes(4).toString('hex')}`
      await ok('storage.save', {
        config: {
          kind: 's3',
          endpoint: s3.endpoint,
          region: s3.region,
          bucket: s3.bucket,
          prefix,
          accessKeyId: s3.accessKeyId,
          forcePathStyle: true,
        },
        secretAccessKey: s3.secretAccessKey,
      })
      storage = { kind: 's3', bucket: s3.bucket, prefix }
    }
    await ok('repository.init')
  }

  return {
    core,
    dataDir,
    sshConfigPath,
    service,
    project,
    control: hetznerControl(),
    storage,
    events,
    call,
    ok,
    jobEvents,
    finished: async (jobId, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const last = jobEvents(jobId).at(-1)
        if (last && last.state !== 'running' && last.state !== 'queued') return last
        if (Date.now() > deadline) {
          throw new Error(`job ${jobId} still ${last?.state} (${last?.phase})`)
        }
        await new Promise((r) => setTimeout(r, 50))
      }
    },
    workspace: async (id) => {
      const list = await ok<{ workspaces: WorkspaceView[] }>('workspaces.list')
      const found = list.workspaces.find((w) => w.id === id)
      if (!found) throw new Error(`no workspace ${id} in workspaces.list`)
      return found
    },
    close: async ({ remove = false } = {}) => {
      await core.dispose()
      if (remove)
        await rm(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
    },
  }
}
