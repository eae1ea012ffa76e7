import type { ProbeSample } from './probe-sample'

/** Runs the idle probe on one workspace's VM. */
export interface IdleProbe {
  /**
   * One probe. File changes are looked for `lookbackSeconds` back from the VM's clock. Fails
   * (rejects) when the VM cannot be reached or answers something unreadable.
   */
  run(lookbackSeconds: number, signal?: AbortSignal): Promise<ProbeSample>
  /** Closes what the probe holds open (its SSH connection). */
  close(): Promise<void>
}
