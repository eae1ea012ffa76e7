import type { HetznerClient } from '../hetzner/hetzner-client'

export interface ServerPrice {
  /** Gross EUR as Hetzner sends them (decimal strings). */
  priceHourly: string
  priceMonthly: string
}

export type PriceLookup = (serverType: string, location: string) => ServerPrice | null

/**
 * Prices of every server type in every location, from one listing of server types (a server's own
 * answer does not carry them). Gross, as the user pays them.
 */
export async function serverPrices(
  client: HetznerClient,
  signal?: AbortSignal,
): Promise<PriceLookup> {
  const types = await client.listServerTypes(signal)
  const prices = new Map<string, ServerPrice>()
  for (const type of types) {
    for (const p of type.prices) {
      prices.set(`${type.name}@${p.location}`, {
        priceHourly: p.hourlyGross,
        priceMonthly: p.monthlyGross,
      })
    }
  }
  return (serverType, location) => prices.get(`${serverType}@${location}`) ?? null
}
