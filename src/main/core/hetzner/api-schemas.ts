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

export const apiActionSchema = z.object({
  id: z.number(),
  command: z.string(),
  status: z.enum(['running', 'success', 'error']),
  progress: z.number(),
  started: z.string(),
  finished: z.string().nullable(),
  resources: z.array(z.object({ id: z.number(), type: z.string() })),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
})

export const apiServerSchema = z.object({
  id: z.number(),
  name: z.string(),
  status: z.string(),
  created: z.string(),
  public_net: z.object({
    ipv4: z.object({ ip: z.string() }).nullable().optional(),
    ipv6: z.object({ ip: z.string() }).nullable().optional(),
  }),
  server_type: z.object({ name: z.string(), memory: z.number(), disk: z.number() }),
  datacenter: z.object({ location: z.object({ name: z.string() }) }),
  image: z.object({ id: z.number(), name: z.string().nullable() }).nullable(),
  labels: z.record(z.string(), z.string()),
})

export const apiCreateServerSchema = z.object({
  server: apiServerSchema,
  action: apiActionSchema,
  next_actions: z.array(apiActionSchema).default([]),
})

export const apiSshKeySchema = z.object({
  id: z.number(),
  name: z.string(),
  fingerprint: z.string(),
  public_key: z.string(),
  labels: z.record(z.string(), z.string()),
})

export const apiImageSchema = z.object({
  id: z.number(),
  type: z.string(),
  name: z.string().nullable(),
  description: z.string(),
  architecture: z.string(),
  status: z.string(),
  deprecated: z.string().nullable().optional(),
})
