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

/** What an error met while restoring says to do; a verify or check report leaves it out. */
const VERIFY_HINT = ' Run a verify to see which files are affected.'

/** A damage message for a report that already names the affected files. */
export function withoutVerifyHint(message: string): string {
  return message.endsWith(VERIFY_HINT) ? message.slice(0, -VERIFY_HINT.length) : message
}

export function damagedBlob(blobId: string, packId: string, why: string): CairnError {
  return damagedError(
    `The repository is damaged: blob ${shortId(blobId)} in pack ${shortId(packId)} ${why}.${VERIFY_HINT}`,
    { packId, blobId, cause: why },
  )
}

export function missingBlob(blobId: string): CairnError {
  return damagedError(
    `The repository is damaged: blob ${shortId(blobId)} is not in any index.${VERIFY_HINT}`,
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
