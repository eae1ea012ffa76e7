import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { LocationRefusal } from '../../../src/main/core/hetzner/servers'
import { newHetznerProject } from '../../support/cloud-info'
import { clientFor, control, serverName, type Project } from './client-support'

const params = (name: string) => ({
  name,
  serverType: 'cx22',
  image: 'ubuntu-24.04',
  location: 'fsn1',
  labels: { 'managed-by': 'cairn' },
  startAfterCreate: false,
})

describe('server creation when a location has no capacity', () => {
  let project: Project
  beforeAll(async () => {
    project = await newHetznerProject()
  })
  afterEach(async () => {
    await control().reset(project.id)
  })

  it('without allowed fallbacks: fails at once, naming the location and Hetzner’s reason', async () => {
    const client = clientFor(project)
    await control().inject(
      { method: 'POST', path: '/servers', code: 'placement_error', message: 'no room in fsn1' },
      project.id,
    )
    const name = serverName('no-fallback')
    const error = await client.servers.create(params(name)).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'remote_error',
      message: expect.stringContaining('fsn1: placement_error: no room in fsn1'),
      details: {
        hetznerCode: 'placement_error',
        hetznerMessage: 'no room in fsn1',
        triedLocations: [
          { location: 'fsn1', hetznerCode: 'placement_error', message: 'no room in fsn1' },
        ],
      },
    })
    expect((error as Error).message).toMatch(/allow Cairn to try other locations/)
    expect(await client.servers.list({ name })).toEqual([])
  })

  it('tries the allowed locations in order, branching on the code (412 and 422), and reports them', async () => {
    const client = clientFor(project)
    await control().inject(
      { method: 'POST', path: '/servers', code: 'placement_error', times: 1 },
      project.id,
    )
    await control().inject(
      { method: 'POST', path: '/servers', code: 'resource_unavailable', status: 422, times: 1 },
      project.id,
    )
    const refusals: LocationRefusal[] = []
    const created = await client.servers.create(params(serverName('fallback')), {
      fallbackLocations: ['nbg1', 'hel1', 'ash'],
      onLocationRefused: (r) => refusals.push(r),
    })
    expect(created.location).toBe('hel1')
    expect(created.server.location).toBe('hel1')
    expect(created.refusedLocations).toEqual([
      { location: 'fsn1', hetznerCode: 'placement_error', message: 'error during placement' },
      {
        location: 'nbg1',
        hetznerCode: 'resource_unavailable',
        message: 'resource is currently not available',
      },
    ])
    expect(refusals).toEqual(created.refusedLocations)
  })

  it('reports every location tried when none has capacity', async () => {
    const client = clientFor(project)
    await control().inject(
      { method: 'POST', path: '/servers', code: 'resource_unavailable' },
      project.id,
    )
    const error = await client.servers
      .create(params(serverName('none')), { fallbackLocations: ['nbg1'] })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'remote_error',
      message: expect.stringContaining('in fsn1, nbg1 right now'),
      details: { triedLocations: [{ location: 'fsn1' }, { location: 'nbg1' }] },
    })
  })

  it('does not move to another location for errors that are not about capacity', async () => {
    const client = clientFor(project)
    await control().inject(
      { method: 'POST', path: '/servers', code: 'resource_limit_exceeded', times: 1 },
      project.id,
    )
    const name = serverName('limit')
    await expect(
      client.servers.create(params(name), { fallbackLocations: ['nbg1'] }),
    ).rejects.toMatchObject({
      code: 'remote_error',
      details: { hetznerCode: 'resource_limit_exceeded' },
      message: expect.stringContaining('reached a limit'),
    })
    expect(await client.servers.list({ name })).toEqual([])
  })
})
