const HEX_ID = /^[0-9a-f]{64}$/

/** IDs (blobs, packs, snapshots, index files) are 32 bytes, written as 64 lowercase hex digits. */
export function isHexId(value: string): boolean {
  return HEX_ID.test(value)
}

export function idToBytes(id: string): Buffer {
  if (!HEX_ID.test(id)) throw new RangeError('not a 64-digit lowercase hex id')
  return Buffer.from(id, 'hex')
}

export function bytesToId(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** The first 8 hex digits, as people see IDs in messages and lists. */
export function shortId(id: string): string {
  return id.slice(0, 8)
}
