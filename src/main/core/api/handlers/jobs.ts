import type { Handlers } from '../dispatch'
import type { CoreServices } from '../../services'

export function jobsHandlers(s: CoreServices): Pick<Handlers, 'jobs.list' | 'jobs.cancel'> {
  return {
    'jobs.list': async () => s.jobs.list(),
    'jobs.cancel': async ({ id }) => {
      s.jobs.cancel(id)
      return {}
    },
  }
}
