import { beforeAll, describe, expect, it } from 'vitest'
import { HetznerClient } from '../../../src/main/core/hetzner/hetzner-client'
import { newHetznerProject } from '../../support/cloud-info'

describe('HetznerClient against the fake Hetzner API', () => {
  let project: Awaited<ReturnType<typeof newHetznerProject>>
  beforeAll(async () => {
    project = await newHetznerProject()
  })

  it('follows pagination: small pages give the same lists as one big page', async () => {
    const big = new HetznerClient({ baseUrl: project.url, token: project.token })
    const small = new HetznerClient({ baseUrl: project.url, token: project.token, perPage: 2 })
    const [types, typesPaged, locations, locationsPaged] = await Promise.all([
      big.listServerTypes(),
      small.listServerTypes(),
      big.listLocations(),
      small.listLocations(),
    ])
    expect(types.length).toBeGreaterThan(2)
    expect(typesPaged).toEqual(types)
    expect(locationsPaged).toEqual(locations)
    expect(new Set(types.map((t) => t.id)).size).toBe(types.length)
  })

  it('maps server types to the shared domain with decimal-string prices', async () => {
    const client = new HetznerClient({ baseUrl: project.url, token: project.token })
    const { locations, serverTypes } = await client.catalog()
    const names = new Set(locations.map((l) => l.name))
    for (const t of serverTypes) {
      expect(t).toMatchObject({
        name: expect.any(String),
        cores: expect.any(Number),
        memoryGb: expect.any(Number),
        diskGb: expect.any(Number),
        deprecated: expect.any(Boolean),
      })
      for (const p of t.prices) {
        expect(names.has(p.location)).toBe(true)
        for (const v of [p.hourlyNet, p.hourlyGross, p.monthlyNet, p.monthlyGross]) {
          expect(v).toMatch(/^\d+(\.\d+)?$/)
        }
      }
    }
  })

  it('cancels an in-flight call when its signal aborts', async () => {
    const client = new HetznerClient({ baseUrl: project.url, token: project.token })
    const controller = new AbortController()
    controller.abort()
    await expect(client.listLocations(controller.signal)).rejects.toMatchObject({
      code: 'cancelled',
    })
  })
})
