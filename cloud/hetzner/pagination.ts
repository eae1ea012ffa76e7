import { invalidInput } from './errors'

export interface Pagination {
  page: number
  per_page: number
  previous_page: number | null
  next_page: number | null
  last_page: number
  total_entries: number
}

function positiveInt(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name)
  if (raw === null) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw invalidInput(name, 'must be a positive integer')
  return n
}

/** Cuts one page out of `items` as Hetzner does (per_page default 25, max 50). */
export function paginate<T>(
  items: T[],
  query: URLSearchParams,
): { page: T[]; pagination: Pagination } {
  const page = positiveInt(query, 'page', 1)
  const perPage = Math.min(positiveInt(query, 'per_page', 25), 50)
  const total = items.length
  const lastPage = Math.max(1, Math.ceil(total / perPage))
  return {
    page: items.slice((page - 1) * perPage, page * perPage),
    pagination: {
      page,
      per_page: perPage,
      previous_page: page > 1 ? page - 1 : null,
      next_page: page < lastPage ? page + 1 : null,
      last_page: lastPage,
      total_entries: total,
    },
  }
}

/** The `Link` header Hetzner sends along with paginated answers. */
export function linkHeader(base: string, query: URLSearchParams, p: Pagination): string {
  const link = (page: number, rel: string) => {
    const q = new URLSearchParams(query)
    q.set('page', String(page))
    q.set('per_page', String(p.per_page))
    return `<${base}?${q.toString()}>; rel="${rel}"`
  }
  const parts: string[] = []
  if (p.previous_page !== null) parts.push(link(p.previous_page, 'prev'))
  if (p.next_page !== null) parts.push(link(p.next_page, 'next'))
  parts.push(link(p.last_page, 'last'))
  return parts.join(', ')
}

/** Applies `sort=field[:asc|:desc]` (repeatable) to items. */
export function sortBy<T>(items: T[], query: URLSearchParams, allowed: readonly string[]): T[] {
  const sorts = query.getAll('sort')
  if (sorts.length === 0) return items
  const keys = sorts.map((s) => {
    const [field = '', dir = 'asc'] = s.split(':')
    if (!allowed.includes(field) || (dir !== 'asc' && dir !== 'desc')) {
      throw invalidInput('sort', `invalid sort '${s}'`)
    }
    return { field, sign: dir === 'desc' ? -1 : 1 }
  })
  return [...items].sort((a, b) => {
    for (const { field, sign } of keys) {
      const av = (a as Record<string, unknown>)[field] as string | number
      const bv = (b as Record<string, unknown>)[field] as string | number
      if (av < bv) return -sign
      if (av > bv) return sign
    }
    return 0
  })
}
