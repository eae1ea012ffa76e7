import type { ServerType } from '../../../shared/domain/hetzner'
import { CairnError } from '../../../shared/errors'
import type { HetznerClient } from '../hetzner/hetzner-client'

/** A server type Hetzner offers in a location, with the gross prices the user pays there. */
export interface ServerOffer {
  type: ServerType
  location: string
  priceHourly: string
  priceMonthly: string
}

/**
 * Checks, before anything is bought, that `location` exists and `serverType` is sold there, and
 * returns its price. Fallback locations are checked too: a fallback without a price would leave a
 * workspace whose cost Cairn cannot show.
 */
export async function findOffers(
  hetzner: HetznerClient,
  serverType: string,
  locations: readonly string[],
  signal?: AbortSignal,
): Promise<ServerOffer[]> {
  const catalog = await hetzner.catalog(signal)
  const type = catalog.serverTypes.find((t) => t.name === serverType)
  if (!type) {
    throw new CairnError(
      'invalid_input',
      `Hetzner has no server type "${serverType}". Choose one from the list.`,
      { serverType },
    )
  }
  const offers: ServerOffer[] = []
  for (const location of locations) {
    if (!catalog.locations.some((l) => l.name === location)) {
      throw new CairnError(
        'invalid_input',
        `Hetzner has no location "${location}". Choose one from the list.`,
        { location },
      )
    }
    const price = type.prices.find((p) => p.location === location)
    if (!price) {
      throw new CairnError(
        'invalid_input',
        `Hetzner does not offer ${serverType} servers in ${location}. Choose another location or server type.`,
        { location, serverType },
      )
    }
    offers.push({
      type,
      location,
      priceHourly: price.hourlyGross,
      priceMonthly: price.monthlyGross,
    })
  }
  return offers
}
