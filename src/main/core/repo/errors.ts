import { CairnError } from '../../../shared/errors'
import { shortId } from './util/hex'

/**
 * Damage found while reading the repository. Never papered over: the message names the object,
 * and `details` carries full ids so verify and the UI can say which files are affected.
 * (Code `storage_failed` until the contract has a dedicated code for damaged data.)
 */
export function damagedError(
  message: string,
  details: { packId?: string; blobId?: string; object?: string; cause?: string },
): CairnError {
  return new CairnError('storage_failed', message, { reason: 'damaged', ...details })
}

export function damagedBlob(blobId: string, packId: string, why: string): CairnError {
  return damagedError(
    `The repository is damaged: blob ${shortId(blobId)} in pack ${shortId(packId)} ${why}. Run a verify to see which files are affected.`,
    { packId, blobId, cause: why },
  )
}

export function missingBlob(blobId: string): CairnError {
  return damagedError(
    `The repository is damaged: blob ${shortId(blobId)} is not in any index. Run a verify to see which files are affected.`,
    { blobId, cause: 'not in the index' },
  )
}

export function isDamage(error: unknown): error is CairnError {
  return error instanceof CairnError && error.details?.reason === 'damaged'
}

/** Turns "the object is missing" from the store into damage; other errors pass through. */
export function mapMissing(error: unknown, describe: () => CairnError): unknown {
  return error instanceof CairnError && error.code === 'not_found' ? describe() : error
}
