import type { UiError } from '../lib/errors'

/** The lifecycle of anything loaded from the core; screens render one state per value. */
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error'

export interface Loadable<T> {
  status: LoadStatus
  data: T | null
  error: UiError | null
}

export function idle<T>(): Loadable<T> {
  return { status: 'idle', data: null, error: null }
}
