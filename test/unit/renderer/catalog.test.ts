import { describe, expect, it } from 'vitest'
import type { HetznerCatalog, ServerType } from '../../../src/shared/domain/hetzner'
import { serverTypesFor } from '../../../src/renderer/src/lib/catalog'

function type(name: string, monthly: string, locations: string[], deprecated = false): ServerType {
  return {
    id: name.length + Number(monthly),
    name,
    description: name.toUpperCase(),
    cores: 2,
    memoryGb: 4,
    diskGb: 40,
    cpuType: 'shared',
    architecture: 'x86',
    deprecated,
    prices: locations.map((location) => ({
      location,
      hourlyNet: '0.01',
      hourlyGross: '0.01',
      monthlyNet: monthly,
      monthlyGross: monthly,
    })),
  }
}

const catalog: HetznerCatalog = {
  locations: [],
  serverTypes: [
    type('cx32', '6.89', ['fsn1', 'hel1']),
    type('cx22', '4.15', ['fsn1']),
    type('cx11', '3.29', ['fsn1'], true),
    type('cax11', '10.00', ['hel1']),
  ],
}

describe('server type table', () => {
  it('lists the types offered in the location, cheapest first, without deprecated ones', () => {
    const view = serverTypesFor(catalog, 'fsn1', false)
    expect(view.rows.map((r) => r.type.name)).toEqual(['cx22', 'cx32'])
    expect(view.deprecatedCount).toBe(1)
    expect(view.unavailableCount).toBe(1)
  })

  it('includes deprecated types when asked, in price order', () => {
    const view = serverTypesFor(catalog, 'fsn1', true)
    expect(view.rows.map((r) => r.type.name)).toEqual(['cx11', 'cx22', 'cx32'])
  })

  it('uses the chosen location’s price', () => {
    const view = serverTypesFor(catalog, 'hel1', false)
    expect(view.rows.map((r) => [r.type.name, r.price.location])).toEqual([
      ['cx32', 'hel1'],
      ['cax11', 'hel1'],
    ])
  })
})
