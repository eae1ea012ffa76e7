import { CairnError } from '../../../../shared/errors'
import { isHexId } from '../util/hex'
import type { Lease } from './lease'
import type { Workspace } from './workspace'

/**
 * Deletes restore point objects (`snapshots/<id>`) and nothing else: packs and index entries they
 * referenced stay until a prune finds them unreferenced (a forget is one DELETE per restore point,
 * and a backup running elsewhere never loses data it is about to reference). The caller holds the
 * workspace's lease, so no backup of this workspace can pick a forgotten restore point as its
 * parent meanwhile. Returns the ids deleted, in the order given.
 */
export async function forgetSnapshots(
  workspace: Workspace,
  ids: readonly string[],
  options: { lease: Lease; signal?: AbortSignal },
): Promise<string[]> {
  // The lease parameter is the proof the caller took it; it is not used otherwise.
  void options.lease
  const done: string[] = []
  for (const id of ids) {
    if (!isHexId(id)) throw new CairnError('invalid_input', 'Forget takes full restore point ids.')
    await workspace.store.delete(workspace.paths.snapshot(id), { signal: options.signal })
    done.push(id)
  }
  return done
}
