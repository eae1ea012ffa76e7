/** IDs (blobs, packs, snapshots, index files) are 32 bytes, written as 64 lowercase hex digits. */
export function isHexId(value: string): boolean {
  // A loop rather than a regular expression: this runs for every index lookup and tree entry.
  if (value.length !== 64) return false
  for (let i = 0; i < 64; i++) {
    const c = value.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

export function idToBytes(id: string): Buffer {
  if (!isHexId(id)) throw new RangeError('not a 64-digit lowercase hex id')
  return Buffer.from(id, 'hex')
}

export function bytesToId(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/** The first 8 hex digits, as people see IDs in messages and lists. */
export function shortId(id: string): string {
  return id.slice(0, 8)
}
