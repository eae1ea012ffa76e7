import type { CairnApi } from '../../../shared/rpc'
import { ensureCairnApi } from '../transport'

let api: CairnApi | null = null

/** The one way the stores reach the core. Resolved lazily so a failure shows up as UI state. */
export function getApi(): CairnApi {
  api ??= ensureCairnApi()
  return api
}
