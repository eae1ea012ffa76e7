import { hkdfSync } from 'node:crypto'

/**
 * HKDF-SHA256 `info` strings. Every key Cairn uses is derived from the master key or a workspace
 * data key with one of these, so two uses can never share a key by accident. Changing a string
 * changes the format: they are listed in docs/repository-format.md.
 */
export const KDF_INFO = {
  /** master key + repository id -> key of the config's key-check value */
  keyCheck: 'cairn v1 key-check',
  /** master key + per-file salt -> key that wraps one workspace data key */
  workspaceKeyWrap: 'cairn v1 workspace-key-wrap',
  /** master key + per-file salt -> key of a repository-level sealed file (registry) */
  masterFile: 'cairn v1 master-file',
  /** data key -> HMAC key of blob IDs */
  blobId: 'cairn v1 blob-id',
  /** data key -> 256 x 32-bit gear table of the chunker */
  chunkerGear: 'cairn v1 chunker-gear',
  /** data key + per-pack salt -> AEAD key of one pack */
  pack: 'cairn v1 pack',
  /** data key + per-file salt -> AEAD key of one workspace-level sealed file (index, snapshot) */
  workspaceFile: 'cairn v1 workspace-file',
} as const

const EMPTY = new Uint8Array(0)

export function hkdf(ikm: Uint8Array, salt: Uint8Array | null, info: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt ?? EMPTY, info, length))
}
