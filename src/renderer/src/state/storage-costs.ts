import { create } from 'zustand'
import type { StorageCosts } from '../../../shared/domain/costs'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import type { LoadStatus } from './load'

interface StorageCostsState {
  status: LoadStatus
  costs: StorageCosts | null
  error: UiError | null
  measuring: boolean
  /** storage.costs; `measure` lists the storage again for the bytes (a few LIST requests). */
  load(measure?: boolean): Promise<void>
}

/** What the repository costs this month, per workspace, at R2's list prices. */
export const useStorageCosts = create<StorageCostsState>()((set) => ({
  status: 'idle',
  costs: null,
  error: null,
  measuring: false,
  async load(measure = false) {
    set((s) => ({
      status: s.costs ? s.status : 'loading',
      error: null,
      measuring: measure,
    }))
    try {
      set({ status: 'ready', costs: await getApi()['storage.costs']({ measure }) })
    } catch (error) {
      set({ status: 'error', error: toUiError(error) })
    } finally {
      set({ measuring: false })
    }
  },
}))
