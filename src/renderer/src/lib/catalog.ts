import type { HetznerCatalog, ServerType } from '../../../shared/domain/hetzner'
import { priceValue } from './money'

export type ServerTypePrice = ServerType['prices'][number]

export interface PricedServerType {
  type: ServerType
  price: ServerTypePrice
}

export interface CatalogView {
  /** Offered in the location, cheapest first. */
  rows: PricedServerType[]
  /** Offered in the location but deprecated, left out of rows unless asked for. */
  deprecatedCount: number
  /** Not offered in the location at all. */
  unavailableCount: number
}

/** The server type table for one location: offered types with that location's price, by price. */
export function serverTypesFor(
  catalog: HetznerCatalog,
  location: string | null,
  showDeprecated: boolean,
): CatalogView {
  let deprecatedCount = 0
  let unavailableCount = 0
  const rows: PricedServerType[] = []
  for (const type of catalog.serverTypes) {
    const price = type.prices.find((p) => p.location === location)
    if (!price) {
      unavailableCount += 1
      continue
    }
    if (type.deprecated) {
      deprecatedCount += 1
      if (!showDeprecated) continue
    }
    rows.push({ type, price })
  }
  rows.sort(
    (a, b) =>
      priceValue(a.price.monthlyGross) - priceValue(b.price.monthlyGross) ||
      priceValue(a.price.hourlyGross) - priceValue(b.price.hourlyGross) ||
      a.type.name.localeCompare(b.type.name),
  )
  return { rows, deprecatedCount, unavailableCount }
}

export function cpuTypeLabel(cpuType: string): string {
  if (cpuType === 'shared') return 'Shared'
  if (cpuType === 'dedicated') return 'Dedicated'
  return cpuType
}

export function architectureLabel(architecture: string): string {
  if (architecture === 'x86') return 'x86'
  if (architecture === 'arm') return 'Arm'
  return architecture
}

/** The cheapest offered type in a location: what a create form picks until the user chooses. */
export function defaultServerType(catalog: HetznerCatalog, location: string): string {
  return serverTypesFor(catalog, location, false).rows[0]?.type.name ?? ''
}
