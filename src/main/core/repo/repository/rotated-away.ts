import { CairnError } from '../../../../shared/errors'
import { masterKeyId } from '../../keys/master-key-store'
import type { ObjectStore } from '../../storage/object-store'
import { readRotationRecord } from './rotate-master'

/**
 * The error for a master key that a rotation replaced (the `master-rotation` record names it as
 * the old key), or null if it was never this repository's key. Read only after the key check or a
 * key file failed, so a normal open costs no extra request.
 */
export async function rotatedAwayError(
  store: ObjectStore,
  masterKey: Uint8Array,
  signal?: AbortSignal,
): Promise<CairnError | null> {
  const record = await readRotationRecord(store, signal).catch(() => null)
  const keyId = masterKeyId(masterKey)
  if (!record || (record.fromKeyId !== keyId && !record.earlierKeyIds.includes(keyId))) return null
  const when = record.finished ?? record.started
  const state =
    record.finished || record.fromKeyId !== keyId
      ? 'was rotated'
      : 'is being rotated (or the rotation was interrupted)'
  return new CairnError(
    'unauthorized',
    `The master key of this repository ${state} on ${record.host} at ${when}; this machine has an older key (id ${keyId}). Import the new recovery key (key id ${record.toKeyId}) from ${record.host}.`,
    { rotatedOn: record.host, rotatedAt: when, newKeyId: record.toKeyId },
  )
}
