import { z } from 'zod'

/** Requests one operation made to the storage, by class, and the bytes it moved. */
export const requestCountsSchema = z.object({
  put: z.number(),
  get: z.number(),
  head: z.number(),
  list: z.number(),
  delete: z.number(),
  bytesUp: z.number(),
  bytesDown: z.number(),
})
export type RequestCountsView = z.infer<typeof requestCountsSchema>

export const workspaceCostSchema = z.object({
  workspaceId: z.string(),
  /** Bytes under the workspace's prefix when last measured (null: never measured). */
  storedBytes: z.number().nullable(),
  storedMeasuredAt: z.string().nullable(),
  /** Requests Cairn's jobs made for this workspace this calendar month (UTC). */
  requestsThisMonth: requestCountsSchema,
  /** Class A (PUT, LIST, ...) and class B (GET, HEAD) as R2 bills them; DELETE is free. */
  classA: z.number(),
  classB: z.number(),
  /** USD per month at list prices, without the free tier. */
  estimate: z.object({
    storage: z.number(),
    classA: z.number(),
    classB: z.number(),
    total: z.number(),
  }),
})
export type WorkspaceCost = z.infer<typeof workspaceCostSchema>

export const storageCostsSchema = z.object({
  month: z.string(),
  workspaces: z.array(workspaceCostSchema),
  /** Sum over workspaces, list prices; and the same after the account's monthly free tier. */
  totalEstimate: z.number(),
  totalAfterFreeTier: z.number(),
  prices: z.object({
    provider: z.string(),
    source: z.string(),
    checked: z.string(),
    storagePerGbMonth: z.number(),
    classAPerMillion: z.number(),
    classBPerMillion: z.number(),
    freeStorageGb: z.number(),
    freeClassA: z.number(),
    freeClassB: z.number(),
  }),
})
export type StorageCosts = z.infer<typeof storageCostsSchema>
