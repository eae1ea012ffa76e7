import { AsyncLocalStorage } from 'node:async_hooks'
import type { JobKind } from '../../../shared/domain/jobs'

/** The job whose code is running, as far as the async context can tell. */
export interface JobScope {
  id: string
  kind: JobKind
  workspaceId: string | null
}

const scope = new AsyncLocalStorage<JobScope>()

/**
 * Runs a job's task with the job as its async context, so code deep below (opening the storage)
 * can attribute what it does to the job without every call passing the job along.
 */
export function runInJobScope<T>(job: JobScope, fn: () => Promise<T>): Promise<T> {
  return scope.run(job, fn)
}

export function currentJob(): JobScope | undefined {
  return scope.getStore()
}
