import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../../../src/shared/domain/jobs'
import type { WorkspacePreflight } from '../../../src/shared/domain/workspace'
import { HetznerClient } from '../../../src/main/core/hetzner/hetzner-client'
import { secretAccounts } from '../../../src/main/core/secrets/secret-store'
import { workspaceRecord } from '../../support/workspace-record'
import { runningWorkspace, type RunningWorkspace } from './running-workspace'
import { startWorkspaceHarness, type WorkspaceHarness } from './workspace-harness'

/** workspaces.preflight against the local cloud: each check reported; nothing bought or written. */
describe('workspaces.preflight', () => {
  let h: WorkspaceHarness
  let hetzner: HetznerClient
  let ws: RunningWorkspace

  beforeAll(async () => {
    h = await startWorkspaceHarness()
    hetzner = new HetznerClient({ baseUrl: h.project.url, token: h.project.token })
    ws = await runningWorkspace(h)
  })
  afterAll(async () => {
    for (const s of await hetzner.servers.list()) await hetzner.servers.delete(s.id)
    await h?.close({ remove: true })
  })

  const preflight = (input: Record<string, unknown>) =>
    h.ok<WorkspacePreflight>('workspaces.preflight', {
      name: 'fresh',
      location: 'fsn1',
      serverType: 'cx22',
      ...input,
    })
  const byId = (result: WorkspacePreflight) =>
    Object.fromEntries(result.checks.map((c) => [c.id, c]))

  it('passes every check with the price, and creates nothing', async () => {
    const serversBefore = (await hetzner.servers.list()).length
    const recordsBefore = (await h.core.workspaces.registry.list()).length
    const result = await preflight({})
    expect(result.checks.map((c) => [c.id, c.ok])).toEqual([
      ['name', true],
      ['token', true],
      ['storage', true],
      ['masterKey', true],
      ['serverType', true],
    ])
    expect(result.ok).toBe(true)
    expect(result.offer).toMatchObject({ location: 'fsn1', serverType: 'cx22' })
    expect(Number(result.offer!.priceHourly)).toBeGreaterThan(0)
    expect(byId(result).serverType!.message).toContain('cx22 in fsn1')
    expect(result.restorePoint).toBeNull()
    expect((await hetzner.servers.list()).length).toBe(serversBefore)
    expect((await h.core.workspaces.registry.list()).length).toBe(recordsBefore)
  })

  it('reports a taken name, a type not sold and a location that does not exist, each on its own', async () => {
    await h.core.workspaces.registry.add(workspaceRecord({ name: 'taken' }))
    const taken = await preflight({ name: 'taken' })
    expect(taken.ok).toBe(false)
    expect(byId(taken).name).toMatchObject({ ok: false, message: expect.stringContaining('taken') })
    expect(byId(taken).serverType!.ok).toBe(true)

    const noType = await preflight({ serverType: 'cx9999' })
    expect(byId(noType).serverType).toMatchObject({
      ok: false,
      message: expect.stringContaining('no server type "cx9999"'),
    })
    expect(noType.offer).toBeNull()
    expect(byId(noType).name!.ok).toBe(true)

    const noPlace = await preflight({ location: 'mars1' })
    expect(byId(noPlace).serverType!.message).toContain('no location "mars1"')
  })

  it('opens the restore point a fork starts from, and says when it cannot', async () => {
    const job = await h.ok<Job>('workspaces.backup', { id: ws.record.id })
    expect((await h.finished(job.id)).error).toBeNull()
    const fork = await preflight({
      name: 'forked',
      from: { workspaceId: ws.record.id, restorePoint: 'latest' },
    })
    expect(fork.ok).toBe(true)
    expect(byId(fork).restorePoint!.ok).toBe(true)
    const [point] = (
      await h.ok<{ restorePoints: { id: string }[] }>('restorePoints.list', {
        workspaceId: ws.record.id,
      })
    ).restorePoints
    expect(fork.restorePoint).toEqual({ workspaceId: ws.record.id, id: point!.id })

    const missing = await preflight({
      name: 'forked',
      from: { workspaceId: ws.record.id, restorePoint: 'deadbeef' },
    })
    expect(missing.ok).toBe(false)
    expect(byId(missing).restorePoint!.ok).toBe(false)
    expect(missing.restorePoint).toBeNull()
  })

  it('refuses input the create would refuse, like the create', async () => {
    const bad = await h.call('workspaces.preflight', { name: 'Bad Name', location: 'fsn1' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
  })

  it('says a token Hetzner refuses does not work, and skips the price check', async () => {
    await h.core.services.secrets.set(secretAccounts.hetznerToken, 'not-a-valid-token')
    const result = await preflight({})
    expect(byId(result).token!.ok).toBe(false)
    expect(byId(result).serverType).toMatchObject({
      ok: false,
      message: 'Needs a working Hetzner token first.',
    })
    expect(byId(result).storage!.ok).toBe(true)
    await h.core.services.secrets.set(secretAccounts.hetznerToken, h.project.token)
  })
})
