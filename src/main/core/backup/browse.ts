import type { BrowseOptions, BrowseResult } from './types'

/** The entries of a folder of a restore point, without restoring anything. */
export async function browse(options: BrowseOptions): Promise<BrowseResult> {
  void options
  throw new Error('not implemented yet')
}
