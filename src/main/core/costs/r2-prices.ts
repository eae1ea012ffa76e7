/**
 * Cloudflare R2 list prices (Standard storage class), the one place Cairn keeps them.
 * Source: https://developers.cloudflare.com/r2/pricing/ (checked 2026-11-23; unchanged since R2's
 * general availability in 2022). R2 charges no egress. DELETE is free. Class A: PUT, POST, COPY,
 * LIST and multipart operations; class B: GET, HEAD. The free tier is per account and month, not
 * per workspace or per bucket.
 */
export const R2_PRICES = {
  provider: 'Cloudflare R2 (Standard)',
  source: 'https://developers.cloudflare.com/r2/pricing/',
  checked: '2026-11-23',
  storagePerGbMonth: 0.015,
  classAPerMillion: 4.5,
  classBPerMillion: 0.36,
  freeStorageGb: 10,
  freeClassA: 1_000_000,
  freeClassB: 10_000_000,
} as const

/** R2 bills storage per GB of 10^9 bytes (decimal), averaged over the month. */
const GB = 1e9

export interface CostEstimate {
  storage: number
  classA: number
  classB: number
  total: number
}

export function classARequests(counts: { put: number; list: number }): number {
  return counts.put + counts.list
}

export function classBRequests(counts: { get: number; head: number }): number {
  return counts.get + counts.head
}

/**
 * The monthly cost of keeping `storedBytes` for a month and making these requests, at list prices
 * and WITHOUT the free tier (which is the account's, shared by every workspace and anything else
 * in it): an upper bound per workspace.
 */
export function estimateMonthlyCost(
  storedBytes: number,
  requests: { put: number; list: number; get: number; head: number },
): CostEstimate {
  const storage = (storedBytes / GB) * R2_PRICES.storagePerGbMonth
  const classA = (classARequests(requests) / 1e6) * R2_PRICES.classAPerMillion
  const classB = (classBRequests(requests) / 1e6) * R2_PRICES.classBPerMillion
  return { storage, classA, classB, total: storage + classA + classB }
}

/** The account's bill for the month after the free tier, for everything Cairn keeps in it. */
export function afterFreeTier(
  storedBytes: number,
  requests: { put: number; list: number; get: number; head: number },
): number {
  const storage =
    Math.max(0, storedBytes / GB - R2_PRICES.freeStorageGb) * R2_PRICES.storagePerGbMonth
  const classA =
    (Math.max(0, classARequests(requests) - R2_PRICES.freeClassA) / 1e6) *
    R2_PRICES.classAPerMillion
  const classB =
    (Math.max(0, classBRequests(requests) - R2_PRICES.freeClassB) / 1e6) *
    R2_PRICES.classBPerMillion
  return storage + classA + classB
}
