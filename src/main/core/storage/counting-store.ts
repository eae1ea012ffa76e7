import { AsyncLocalStorage } from 'node:async_hooks'
import {
  emptyRequestCounts,
  type ByteRange,
  type ObjectInfo,
  type ObjectStore,
  type RequestCounts,
} from './object-store'

type CountField = keyof RequestCounts

/** The counters of every CountingStore whose call is running (innermost last). */
const callers = new AsyncLocalStorage<readonly RequestCounts[]>()
const tapped = new WeakSet<object>()

/**
 * Makes the base store's own counters also add to the counters of the CountingStore calls that
 * are running in the current async context. The base counts every request it really makes
 * (retries, multipart parts, LIST pages), so attributing its increments is exact where counting
 * calls at the decorator would not be; and since the attribution follows the async context, two
 * jobs sharing one store never get each other's requests.
 */
function tap(store: ObjectStore): void {
  if (tapped.has(store)) return
  const own = store.requests
  const proxy = new Proxy(own, {
    set(target, field, value: number) {
      const key = field as CountField
      const delta = value - (target[key] ?? 0)
      target[key] = value
      if (delta > 0) for (const counts of callers.getStore() ?? []) counts[key] += delta
      return true
    },
  })
  Object.defineProperty(store, 'requests', { value: proxy, configurable: true, enumerable: true })
  tapped.add(store)
}

/**
 * An ObjectStore that counts the requests made through it (PUT, GET, HEAD, LIST, DELETE and bytes
 * up and down), for one job or one command: wrap the store per job and read `requests` at the end.
 * Wrappers may nest (a command's total and one step's share): each sees what was made through it.
 */
export class CountingStore implements ObjectStore {
  readonly requests: RequestCounts
  /** The store that makes the requests. */
  readonly base: ObjectStore

  /** `counts`: counters to add to (several stores of one job share them); default fresh ones. */
  constructor(inner: ObjectStore, counts: RequestCounts = emptyRequestCounts()) {
    this.requests = counts
    this.base = inner instanceof CountingStore ? inner.base : inner
    this.inner = inner
    tap(this.base)
  }

  private readonly inner: ObjectStore

  get description(): string {
    return this.inner.description
  }

  private counted<T>(fn: () => Promise<T>): Promise<T> {
    return callers.run([...(callers.getStore() ?? []), this.requests], fn)
  }

  put(
    key: string,
    body: Uint8Array,
    options?: { createOnly?: boolean; signal?: AbortSignal },
  ): Promise<void> {
    return this.counted(() => this.inner.put(key, body, options))
  }

  get(key: string, options?: { range?: ByteRange; signal?: AbortSignal }): Promise<Uint8Array> {
    return this.counted(() => this.inner.get(key, options))
  }

  head(key: string, options?: { signal?: AbortSignal }): Promise<ObjectInfo | null> {
    return this.counted(() => this.inner.head(key, options))
  }

  async *list(prefix: string, options?: { signal?: AbortSignal }): AsyncIterable<ObjectInfo> {
    const iterator = this.inner.list(prefix, options)[Symbol.asyncIterator]()
    try {
      for (;;) {
        const next = await this.counted(() => iterator.next())
        if (next.done) return
        yield next.value
      }
    } finally {
      await iterator.return?.()
    }
  }

  delete(key: string, options?: { signal?: AbortSignal }): Promise<void> {
    return this.counted(() => this.inner.delete(key, options))
  }
}

/** a + b, field by field. */
export function addRequestCounts(a: RequestCounts, b: RequestCounts): RequestCounts {
  const sum = emptyRequestCounts()
  for (const key of Object.keys(sum) as CountField[]) sum[key] = a[key] + b[key]
  return sum
}

/** a - b, field by field. */
export function subtractRequestCounts(a: RequestCounts, b: RequestCounts): RequestCounts {
  const diff = emptyRequestCounts()
  for (const key of Object.keys(diff) as CountField[]) diff[key] = a[key] - b[key]
  return diff
}
