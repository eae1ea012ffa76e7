import type { BlobLocation, PackInfo } from '../index/memory-index'
import { readPackHeader } from '../pack/pack-reader'
import type { Workspace } from '../workspace/workspace'

/**
 * Whether a pack's own header (read from storage) lists every blob the index places in it at the
 * same offset, length and type, with the key version and salt the index records. Damage while
 * reading the header is thrown (callers tell it apart with isDamage).
 */
export async function packMatchesIndex(
  workspace: Workspace,
  pack: PackInfo,
  indexed: readonly BlobLocation[],
): Promise<boolean> {
  const header = await readPackHeader(workspace, pack.id, pack.length)
  const inHeader = new Map(header.entries.map((entry) => [entry.id, entry]))
  const mismatch = indexed.some((blob) => {
    const entry = inHeader.get(blob.id)
    return (
      !entry ||
      entry.offset !== blob.offset ||
      entry.length !== blob.length ||
      entry.type !== blob.type
    )
  })
  return (
    !mismatch &&
    header.trailer.keyVersion === pack.keyVersion &&
    header.trailer.salt.equals(pack.salt)
  )
}
