import { z } from 'zod'

export const locationSchema = z.object({
  name: z.string(), // e.g. "fsn1"
  description: z.string(),
  city: z.string(),
  country: z.string(),
  networkZone: z.string(),
})
export type Location = z.infer<typeof locationSchema>

/** Prices are decimal strings in EUR as Hetzner sends them; converting to float would round. */
export const serverTypePriceSchema = z.object({
  location: z.string(),
  hourlyNet: z.string(),
  hourlyGross: z.string(),
  monthlyNet: z.string(),
  monthlyGross: z.string(),
})

export const serverTypeSchema = z.object({
  id: z.number(),
  name: z.string(), // e.g. "cx22"
  description: z.string(),
  cores: z.number(),
  memoryGb: z.number(),
  diskGb: z.number(),
  cpuType: z.string(),
  architecture: z.string(),
  deprecated: z.boolean(),
  prices: z.array(serverTypePriceSchema),
})
export type ServerType = z.infer<typeof serverTypeSchema>

export const hetznerCatalogSchema = z.object({
  locations: z.array(locationSchema),
  serverTypes: z.array(serverTypeSchema),
})
export type HetznerCatalog = z.infer<typeof hetznerCatalogSchema>
