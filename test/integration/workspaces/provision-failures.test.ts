import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import { HetznerClient } from '../../../src/main/core/hetzner/hetzner-client'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

/**
 * Injected failures while creating a workspace. Whatever fails, the end state is one of two: the
 * workspace runs, or there is no record and no server left on the (fake) Hetzner project.
 */
describe('workspaces.create when things go wrong', () => {
  let h: WorkspaceHarness
  let hetzner: HetznerClient

  beforeAll(async () => {
    h = await startWorkspaceHarness({
      workspaces: {
        readinessTimeouts: { server: 4_000, ssh: 8_000, 'cloud-init': 15_000 },
        pollIntervalMs: 100,
      },
    })
    hetzner = new HetznerClient({ baseUrl: h.project.url, token: h.project.token })
  })

  afterEach(async () => {
    await h.control.reset(h.project.id)
  })

  afterAll(async () => {
    for (const s of await hetzner.servers.list()) await hetzner.servers.delete(s.id)
    await h?.close({ remove: true })
  })

  async function create(input: Record<string, unknown>): Promise<Job> {
    const job = await h.ok<Job>('workspaces.create', {
      location: 'fsn1',
      serverType: 'cx22',
      ...input,
    })
    return h.finished(job.id, 60_000)
  }

  /** Nothing left behind: no server, no record of that name. */
  async function expectNothingLeft(name: string): Promise<void> {
    expect(await hetzner.servers.list({ labelSelector: 'managed-by=cairn' })).toEqual([])
    expect(await h.core.workspaces.registry.findByName(name)).toBeNull()
  }

  async function removeWorkspace(name: string): Promise<void> {
    const record = (await h.core.workspaces.registry.findByName(name))!
    await h.core.idle.unwatch(record.id)
    const action = await hetzner.servers.delete(record.server!.id)
    await hetzner.actions.waitFor([action!], { pollIntervalMs: 100 })
    await h.core.workspaces.registry.remove(record.id)
  }

  it('a 429 from Hetzner is waited out and retried; the create succeeds', async () => {
    await h.control.inject(
      { method: 'POST', path: '/servers', code: 'rate_limit_exceeded', times: 1 },
      h.project.id,
    )
    const job = await create({ name: 'rate' })
    expect(job.error).toBeNull()
    expect(job.state).toBe('succeeded')
    expect(await hetzner.servers.list()).toHaveLength(1)
    await removeWorkspace('rate')
  })

  it('a 503 that lasts fails the job with Hetzner code and message, and leaves nothing', async () => {
    await h.control.inject(
      { method: 'POST', path: '/servers', code: 'unavailable', message: 'try later please' },
      h.project.id,
    )
    const job = await create({ name: 'down' })
    expect(job.state).toBe('failed')
    expect(job.error).toMatchObject({
      message: expect.stringMatching(/try later please|unavailable/),
      details: { hetznerCode: 'unavailable' },
    })
    await expectNothingLeft('down')
  }, 60_000)

  it('412 placement without fallback locations: fails with the code, tries nowhere else', async () => {
    await h.control.inject(
      { method: 'POST', path: '/servers', code: 'placement_error', times: 1 },
      h.project.id,
    )
    const job = await create({ name: 'placed' })
    expect(job.state).toBe('failed')
    expect(job.error).toMatchObject({
      code: 'remote_error',
      message: expect.stringContaining('allow Cairn to try other locations'),
      details: { hetznerCode: 'placement_error' },
    })
    await expectNothingLeft('placed')
  })

  it('412 placement with a fallback location allowed: created there, at its price', async () => {
    await h.control.inject(
      { method: 'POST', path: '/servers', code: 'resource_unavailable', times: 1 },
      h.project.id,
    )
    const job = await create({ name: 'moved', fallbackLocations: ['hel1'] })
    expect(job.error).toBeNull()
    const record = (await h.core.workspaces.registry.findByName('moved'))!
    expect(record).toMatchObject({ state: 'running', location: 'hel1' })
    expect(record.server!.location).toBe('hel1')
    const types = await hetzner.listServerTypes()
    const price = types.find((t) => t.name === 'cx22')!.prices.find((p) => p.location === 'hel1')!
    expect(record.server!.priceHourly).toBe(price.hourlyGross)
    expect((await hetzner.servers.list())[0]!.location).toBe('hel1')
    await removeWorkspace('moved')
  })

  it('422 (a limit, not capacity) is not retried elsewhere even with fallbacks allowed', async () => {
    await h.control.inject(
      {
        method: 'POST',
        path: '/servers',
        code: 'resource_limit_exceeded',
        message: 'server limit exceeded',
        times: 1,
      },
      h.project.id,
    )
    const job = await create({ name: 'limited', fallbackLocations: ['hel1'] })
    expect(job.state).toBe('failed')
    expect(job.error).toMatchObject({ details: { hetznerCode: 'resource_limit_exceeded' } })
    expect(job.error!.message).toContain('server limit exceeded')
    await expectNothingLeft('limited')
  })

  it('a server stuck initializing times out in the server phase; the server is deleted', async () => {
    await h.control.holdInitializing(1, h.project.id)
    const job = await create({ name: 'stuck' })
    expect(job.state).toBe('failed')
    expect(job.error).toMatchObject({
      code: 'remote_error',
      message: expect.stringMatching(/\(phase: server\)/),
      details: { phase: 'server', lastStatus: 'initializing' },
    })
    await expectNothingLeft('stuck')
  })

  it('cancel after the server was created: the job is cancelled and the server deleted', async () => {
    await h.control.holdInitializing(1, h.project.id)
    const started = await h.ok<Job>('workspaces.create', {
      name: 'cancelled',
      location: 'fsn1',
      serverType: 'cx22',
    })
    for (;;) {
      const record = await h.core.workspaces.registry.findByName('cancelled')
      if (record?.pending?.serverId) break
      await new Promise((r) => setTimeout(r, 50))
    }
    await h.ok('jobs.cancel', { id: started.id })
    const job = await h.finished(started.id, 30_000)
    expect(job.state).toBe('cancelled')
    await expectNothingLeft('cancelled')
  })
})

describe('workspaces.create when SSH never answers', () => {
  let h: WorkspaceHarness
  let hetzner: HetznerClient

  beforeAll(async () => {
    h = await startWorkspaceHarness({
      workspaces: {
        readinessTimeouts: { server: 10_000, ssh: 2_000, 'cloud-init': 10_000 },
        pollIntervalMs: 100,
      },
    })
    hetzner = new HetznerClient({ baseUrl: h.project.url, token: h.project.token })
  })

  afterAll(async () => {
    for (const s of await hetzner.servers.list()) await hetzner.servers.delete(s.id)
    await h?.close({ remove: true })
  })

  it('times out in the ssh phase with the last reason; the server is deleted, no record left', async () => {
    // The server boots and runs, then its sshd stops: SSH on its address is refused, always.
    await h.control.withoutSsh(1, h.project.id)
    const started = await h.ok<Job>('workspaces.create', {
      name: 'nossh',
      location: 'fsn1',
      serverType: 'cx22',
    })
    const job = await h.finished(started.id, 60_000)
    expect(job.state).toBe('failed')
    expect(job.error).toMatchObject({
      code: 'unreachable',
      message: expect.stringMatching(/\(phase: ssh\)/),
      details: { phase: 'ssh' },
    })
    expect(await hetzner.servers.list()).toEqual([])
    expect(await h.core.workspaces.registry.list()).toEqual([])
  })
})
