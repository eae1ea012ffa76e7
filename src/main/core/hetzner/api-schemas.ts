import { z } from 'zod'

/**
 * The parts of Hetzner Cloud API responses Cairn reads (https://docs.hetzner.cloud). Unknown fields
 * are ignored so additions on Hetzner's side do not break Cairn.
 */
const priceAmount = z.object({ net: z.string(), gross: z.string() })

export const apiLocationSchema = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string(),
  country: z.string(),
  city: z.string(),
  network_zone: z.string(),
})

export const apiServerTypeSchema = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string(),
  cores: z.number(),
  memory: z.number(),
  disk: z.number(),
  cpu_type: z.string(),
  architecture: z.string().default('x86'),
  deprecated: z.boolean().nullable().optional(),
  deprecation: z.unknown().nullable().optional(),
  prices: z.array(
    z.object({ location: z.string(), price_hourly: priceAmount, price_monthly: priceAmount }),
  ),
})

export const paginationMetaSchema = z
  .object({
    pagination: z
      .object({ page: z.number(), next_page: z.number().nullable().optional() })
      .optional(),
  })
  .optional()

export const apiErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
})
