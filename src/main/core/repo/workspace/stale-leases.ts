import { CairnError } from '../../../../shared/errors'
import { KDF_INFO } from '../crypto/kdf'
import { openFile, readSealedHeader } from '../crypto/sealed-file'
import type { LeaseRecord } from './lease'
import type { Workspace } from './workspace'

const LEASE_NAME = /\/locks\/\d{15}-[0-9a-f]{16}$/

/**
 * Removes the leases whose holder `isDead` accepts: those of jobs this installation knows are
 * dead (its process was killed; the job history reports it interrupted). Without this, a backup
 * cut off by a crash would lock its workspace until the lease expired. Leases of anyone else, and
 * leases that cannot be read, are left alone. Returns how many were removed.
 */
export async function removeDeadLeases(
  workspace: Workspace,
  isDead: (holder: string) => boolean,
  signal?: AbortSignal,
): Promise<number> {
  let removed = 0
  for await (const object of workspace.store.list(workspace.paths.locks, { signal })) {
    if (!LEASE_NAME.test(object.key)) continue
    let record: LeaseRecord
    try {
      const bytes = await workspace.store.get(object.key, { signal })
      const key = workspace.keys.get(readSealedHeader(bytes).keyVersion)
      if (!key) continue
      const plain = await openFile(bytes, 'lease', key.dataKey, KDF_INFO.workspaceFile)
      record = JSON.parse(plain.toString('utf8')) as LeaseRecord
    } catch (error) {
      if (error instanceof CairnError && error.code !== 'not_found') throw error
      continue // released meanwhile, or unreadable: not provably this holder's
    }
    if (typeof record.holder !== 'string' || !isDead(record.holder)) continue
    await workspace.store.delete(object.key, { signal })
    removed++
  }
  return removed
}
