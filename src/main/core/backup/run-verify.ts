import type { VerifyResult, VerifyRunOptions } from './types'

/** A restore drill: reads back a restore point (all or a share of its data) and reports damage. */
export async function runVerify(options: VerifyRunOptions): Promise<VerifyResult> {
  void options
  throw new Error('not implemented yet')
}
