import { createHmac } from 'node:crypto'

/** What a blob holds. Data and tree blobs live in separate packs (trees are read far more often). */
export type BlobType = 'data' | 'tree'

export const BLOB_TYPE_CODE: Record<BlobType, number> = { data: 0, tree: 1 }

export function blobTypeFromCode(code: number): BlobType | null {
  return code === 0 ? 'data' : code === 1 ? 'tree' : null
}

/**
 * Blob ID = HMAC-SHA256(blob-id key, type byte || plaintext). Keyed, so the names in indexes and
 * trees reveal nothing about content to someone without the workspace key (a plain hash would let
 * them confirm a guessed file); the type byte keeps a tree and a data blob with equal bytes apart.
 */
export function computeBlobId(idKey: Uint8Array, type: BlobType, plaintext: Uint8Array): Buffer {
  return computeBlobIdOfParts(idKey, type, [plaintext])
}

/** `computeBlobId` of the plaintext that `parts` make up, without joining them. */
export function computeBlobIdOfParts(
  idKey: Uint8Array,
  type: BlobType,
  parts: readonly Uint8Array[],
): Buffer {
  const hmac = createHmac('sha256', idKey)
  hmac.update(TYPE_PREFIX[type])
  for (const part of parts) hmac.update(part)
  return hmac.digest()
}

const TYPE_PREFIX: Record<BlobType, Uint8Array> = {
  data: Uint8Array.of(0),
  tree: Uint8Array.of(1),
}
