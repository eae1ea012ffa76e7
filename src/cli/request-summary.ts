import type { RequestCounts } from '../main/core/storage/object-store'
import { formatBytes } from './format'
import type { CommandContext } from './io'

/** Commands that print what they cost in requests on a terminal (all do with --json). */
export const SUMMARIZED: ReadonlySet<string> = new Set(['backup', 'restore', 'verify', 'check'])

export function madeRequests(ctx: CommandContext): boolean {
  const r = ctx.requests
  return r.put + r.get + r.head + r.list + r.delete > 0
}

/** The command's JSON with `requests` added (objects only, and only if it touched storage). */
export function withRequests(json: unknown, ctx: CommandContext): unknown {
  if (!madeRequests(ctx) || typeof json !== 'object' || json === null || Array.isArray(json))
    return json
  return { ...json, requests: { ...ctx.requests } }
}

/** "Storage requests: 12 PUT, 3 LIST, 40 GET, 1 HEAD, 2 DELETE; 48.0 MiB up, 1.2 MiB down" */
export function requestSummary(r: RequestCounts): string {
  return (
    `Storage requests: ${r.put} PUT, ${r.list} LIST, ${r.get} GET, ${r.head} HEAD, ` +
    `${r.delete} DELETE; ${formatBytes(r.bytesUp)} up, ${formatBytes(r.bytesDown)} down`
  )
}
