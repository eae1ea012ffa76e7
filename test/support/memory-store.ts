import { CairnError } from '../../src/shared/errors'
import {
  emptyRequestCounts,
  type ByteRange,
  type ObjectInfo,
  type ObjectStore,
  type RequestCounts,
} from '../../src/main/core/storage/object-store'

export type StoreOperation = 'put' | 'get' | 'head' | 'list' | 'delete'

/**
 * An in-memory ObjectStore with the semantics the real backends promise (atomic whole-object puts,
 * create-only conflicts, ranged GETs, lexical listing), for unit tests of the repository format.
 * `failWhen` injects faults: return an error (or true for a generic one) to make that request
 * fail before it has any effect.
 */
export class MemoryStore implements ObjectStore {
  readonly description = 'memory://test'
  readonly requests: RequestCounts = emptyRequestCounts()
  readonly objects = new Map<string, Uint8Array>()
  failWhen: ((operation: StoreOperation, key: string) => Error | boolean | undefined) | null = null

  private fault(operation: StoreOperation, key: string): void {
    const verdict = this.failWhen?.(operation, key)
    if (verdict instanceof Error) throw verdict
    if (verdict) throw new CairnError('unreachable', `Injected failure: ${operation} ${key}`)
  }

  async put(
    key: string,
    body: Uint8Array,
    options: { createOnly?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    await Promise.resolve()
    this.requests.put++
    this.fault('put', key)
    if (options.createOnly && this.objects.has(key))
      throw new CairnError('conflict', `The object ${key} already exists.`)
    this.objects.set(key, Uint8Array.from(body))
    this.requests.bytesUp += body.byteLength
  }

  async get(
    key: string,
    options: { range?: ByteRange; signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    await Promise.resolve()
    this.requests.get++
    this.fault('get', key)
    const object = this.objects.get(key)
    if (!object) throw new CairnError('not_found', `The object ${key} does not exist.`)
    const data = options.range
      ? object.slice(options.range.offset, options.range.offset + options.range.length)
      : object.slice()
    this.requests.bytesDown += data.byteLength
    return data
  }

  async head(key: string): Promise<ObjectInfo | null> {
    await Promise.resolve()
    this.requests.head++
    this.fault('head', key)
    const object = this.objects.get(key)
    return object ? { key, size: object.byteLength } : null
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    this.requests.list++
    this.fault('list', prefix)
    const keys = [...this.objects.keys()]
      .filter((k) => k.startsWith(prefix))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    for (const key of keys) {
      const object = this.objects.get(key)
      if (object) yield { key, size: object.byteLength }
    }
  }

  async delete(key: string): Promise<void> {
    await Promise.resolve()
    this.requests.delete++
    this.fault('delete', key)
    this.objects.delete(key)
  }

  /** Bytes stored under a prefix. */
  bytesUnder(prefix: string): number {
    let total = 0
    for (const [key, value] of this.objects) if (key.startsWith(prefix)) total += value.byteLength
    return total
  }

  keysUnder(prefix: string): string[] {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort()
  }
}
