import type { BackupOptions, BackupResult } from './types'

/**
 * Backs up `paths` of the source into a new restore point of the workspace. Only new or changed
 * files are read; a cancelled or failed backup leaves no restore point and its stored data is
 * reused by the next one.
 */
export async function runBackup(options: BackupOptions): Promise<BackupResult> {
  void options
  throw new Error('not implemented yet')
}
