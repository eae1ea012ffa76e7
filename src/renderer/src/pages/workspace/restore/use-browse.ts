import { useEffect, useState } from 'react'
import type { BrowseOutput } from '../../../../../shared/domain/backup'
import { toUiError, type UiError } from '../../../lib/errors'
import { getApi } from '../../../state/api'

export type BrowseState =
  | { status: 'loading' }
  | { status: 'ready'; data: BrowseOutput }
  | { status: 'error'; error: UiError }

/**
 * One folder of a restore point, listed by the core when the path changes (restore points never
 * change, so there is nothing to watch afterwards). `retry` lists again after an error.
 */
export function useBrowse(workspaceId: string, restorePoint: string, path: string) {
  const [state, setState] = useState<BrowseState>({ status: 'loading' })
  const [attempt, setAttempt] = useState(0)
  useEffect(() => {
    let current = true
    setState({ status: 'loading' })
    const api = getApi()
    api['restorePoints.browse']({ workspaceId, restorePoint, path })
      .then((data) => current && setState({ status: 'ready', data }))
      .catch((error: unknown) => current && setState({ status: 'error', error: toUiError(error) }))
    return () => {
      current = false
    }
  }, [workspaceId, restorePoint, path, attempt])
  return { state, retry: () => setAttempt((n) => n + 1) }
}
