import type { PreflightOptions, RestoreOptions, RestorePreflight, RestoreResult } from './types'

/** Restores a restore point (or part of it) into a local folder or a folder on an SSH host. */
export async function runRestore(options: RestoreOptions): Promise<RestoreResult> {
  void options
  throw new Error('not implemented yet')
}

/** What a restore would replace at the target, without writing anything. */
export async function preflightRestoreTarget(options: PreflightOptions): Promise<RestorePreflight> {
  void options
  throw new Error('not implemented yet')
}
