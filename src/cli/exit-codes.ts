import { CairnError } from '../shared/errors'
import { isDamage } from '../main/core/repo/errors'

/** The exit codes of `cairn`, documented in docs/cli.md. Scripts rely on them: never renumber. */
export const EXIT = {
  ok: 0,
  /** Anything that went wrong and is not one of the below (network, storage, SSH, not found...). */
  failure: 1,
  /** The command line was wrong: unknown command or flag, missing or malformed value. */
  usage: 2,
  /** The repository is damaged: verify found problems, or a restore met damaged data. */
  damage: 3,
  /** The master key does not open the repository, or the location holds something else. */
  wrongKey: 4,
  /** Another Cairn holds the workspace (a running backup), or a safety check refused to go on. */
  conflict: 5,
  /** Interrupted by Ctrl-C (SIGINT) or SIGTERM; the repository is left consistent. */
  cancelled: 130,
} as const

/**
 * A CairnError raised while opening the repository with the master key: the key check failed or
 * the location is not a Cairn repository. Marked so the exit code can tell it from a refused S3
 * credential, which has the same error code.
 */
export class WrongKeyError extends CairnError {
  constructor(error: CairnError) {
    super(error.code, error.message, error.details)
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof WrongKeyError) return EXIT.wrongKey
  if (!(error instanceof CairnError)) return EXIT.failure
  // isDamage narrows to CairnError; called on an unknown, its false branch would be `never`.
  if (isDamage(error as unknown)) return EXIT.damage
  switch (error.code) {
    case 'invalid_input':
      return EXIT.usage
    case 'cancelled':
      return EXIT.cancelled
    case 'conflict':
      return EXIT.conflict
    default:
      return EXIT.failure
  }
}
