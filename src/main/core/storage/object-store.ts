/**
 * The one interface every storage backend implements (S3-compatible, local folder). Keys are
 * relative, '/'-separated, and never start with '/'. Backends add their own prefix.
 *
 * Errors are CairnErrors: `not_found` for a missing key, `conflict` when a create-only put finds the
 * key present, `unauthorized`/`forbidden` for refused credentials, `unreachable` after retries
 * for network trouble, `storage_failed` otherwise. Messages never contain credentials.
 */
export interface ObjectStore {
  /** Where the data lives, for people: "s3://bucket/prefix at https://…" or a folder path. */
  readonly description: string
  /** Counts of requests made, by kind, for cost reporting (R2 bills PUT/LIST and GET separately). */
  readonly requests: RequestCounts

  /**
   * Writes the whole object atomically: readers see the old object or the new one, never a part.
   * With `createOnly`, fails with `conflict` if the key exists (If-None-Match: * on S3,
   * link-based exclusive create on a folder). The store keeps no reference to `body` once the
   * returned promise settles: the caller may reuse the buffer (pack writers do).
   */
  put(
    key: string,
    body: Uint8Array,
    options?: { createOnly?: boolean; signal?: AbortSignal },
  ): Promise<void>
  /** The whole object, or a byte range of it. */
  get(key: string, options?: { range?: ByteRange; signal?: AbortSignal }): Promise<Uint8Array>
  /** Size and etag/mtime of an object, or null if absent. */
  head(key: string, options?: { signal?: AbortSignal }): Promise<ObjectInfo | null>
  /** Every key under a prefix, in lexical order, paged under the hood. */
  list(prefix: string, options?: { signal?: AbortSignal }): AsyncIterable<ObjectInfo>
  /** Removes the object; removing an absent key is not an error. */
  delete(key: string, options?: { signal?: AbortSignal }): Promise<void>
}

export interface ByteRange {
  offset: number
  length: number
}

export interface ObjectInfo {
  key: string
  size: number
  /** Last modification, when the backend knows it. */
  modified?: Date
}

export interface RequestCounts {
  put: number
  get: number
  head: number
  list: number
  delete: number
  bytesUp: number
  bytesDown: number
}

export function emptyRequestCounts(): RequestCounts {
  return { put: 0, get: 0, head: 0, list: 0, delete: 0, bytesUp: 0, bytesDown: 0 }
}
