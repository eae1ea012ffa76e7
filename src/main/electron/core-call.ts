import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract'
import { RemoteCallError } from '../../shared/errors'
import { dispatch } from '../core/api/dispatch'
import type { CoreWithServices } from '../core/app'

export type CoreCall = <M extends MethodName>(
  method: M,
  input: MethodInput<M>,
) => Promise<MethodOutput<M>>

/**
 * The shell's own calls (tray, notifications, login item) go through `dispatch` like the
 * renderer's, so they get the same input parsing and error mapping; a failure throws a
 * RemoteCallError whose message is safe to show.
 */
export function coreCaller(core: CoreWithServices): CoreCall {
  return async (method, input) => {
    const result = await dispatch(core.handlers, method, input, { host: 'electron' }, (m, error) =>
      core.logger.error(`unexpected error in ${m}`, error),
    )
    if (!result.ok) throw new RemoteCallError(result.error)
    return result.output as MethodOutput<typeof method>
  }
}
