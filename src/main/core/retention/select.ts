import type { RetentionDecision, RetentionPolicy } from '../../../shared/domain/schedules'
import { formatDurationHours, STOP_TAG } from './policy'

/** A restore point as retention sees it. */
export interface RetentionCandidate {
  id: string
  /** ISO 8601 UTC. */
  time: string
  trigger: string
  tags: readonly string[]
  pinned: boolean
}

type BucketRule = 'hourly' | 'daily' | 'weekly' | 'monthly'

const BUCKET_RULES: ReadonlyArray<{ rule: BucketRule; field: keyof RetentionPolicy }> = [
  { rule: 'hourly', field: 'keepHourly' },
  { rule: 'daily', field: 'keepDaily' },
  { rule: 'weekly', field: 'keepWeekly' },
  { rule: 'monthly', field: 'keepMonthly' },
]

/** The UTC hour, day, ISO week or month a time falls in (UTC: no DST, same on every desktop). */
export function bucketOf(rule: BucketRule, ms: number): string {
  const d = new Date(ms)
  const iso = d.toISOString()
  if (rule === 'hourly') return iso.slice(0, 13)
  if (rule === 'daily') return iso.slice(0, 10)
  if (rule === 'monthly') return iso.slice(0, 7)
  // ISO 8601 week: the week belongs to the year of its Thursday.
  const day = (d.getUTCDay() + 6) % 7 // Monday 0 .. Sunday 6
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3)
  const year = new Date(thursday).getUTCFullYear()
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1
  return `${year}-W${String(week).padStart(2, '0')}`
}

/** Newest first; equal times by id (descending), so the order never depends on listing order. */
export function newestFirst<T extends { id: string; time: string }>(points: readonly T[]): T[] {
  return [...points].sort((a, b) => {
    const dt = Date.parse(b.time) - Date.parse(a.time)
    if (dt !== 0) return dt
    return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
  })
}

/**
 * Which restore points a policy keeps, with every reason, newest first. Pure: the same input gives
 * the same answer on every desktop.
 *
 * - last N: the N newest.
 * - hourly/daily/weekly/monthly N: walking from the newest, the first (newest) restore point of
 *   each UTC hour/day/ISO week/month, until N such periods were kept (restic's semantics: the last
 *   N periods *that have a restore point*, not the last N calendar periods).
 * - within H hours: every restore point at most H hours older than the newest one.
 * - always: the newest restore point, those tagged `stop` (the only copy of a stopped workspace)
 *   and pinned ones.
 * A restore point no rule keeps is removed ("beyond every rule").
 */
export function selectRetention(
  points: readonly RetentionCandidate[],
  policy: RetentionPolicy,
): RetentionDecision[] {
  const sorted = newestFirst(points)
  const newestMs = sorted.length > 0 ? Date.parse(sorted[0]!.time) : 0
  const withinMs = policy.keepWithinHours * 3_600_000
  const lastBucket = new Map<BucketRule, string>()
  const used = new Map<BucketRule, number>()
  return sorted.map((point, index) => {
    const ms = Date.parse(point.time)
    const reasons: string[] = []
    if (index === 0) reasons.push('kept: latest')
    if (point.tags.includes(STOP_TAG)) reasons.push(`kept: tagged ${STOP_TAG}`)
    if (point.pinned) reasons.push('kept: pinned')
    if (index < policy.keepLast) reasons.push(`kept: last #${index + 1}`)
    for (const { rule, field } of BUCKET_RULES) {
      const limit = policy[field]
      const n = used.get(rule) ?? 0
      if (n >= limit) continue
      const bucket = bucketOf(rule, ms)
      if (lastBucket.get(rule) === bucket) continue
      lastBucket.set(rule, bucket)
      used.set(rule, n + 1)
      reasons.push(`kept: ${rule} #${n + 1}`)
    }
    if (withinMs > 0 && newestMs - ms <= withinMs) {
      reasons.push(`kept: within ${formatDurationHours(policy.keepWithinHours)} of the latest`)
    }
    const keep = reasons.length > 0
    if (!keep) reasons.push('removed: beyond every rule')
    return {
      restorePointId: point.id,
      time: point.time,
      trigger: point.trigger,
      tags: [...point.tags],
      pinned: point.pinned,
      keep,
      reasons,
    }
  })
}
