import { create } from 'zustand'
import type { SettingsView } from '../../../shared/domain/settings'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import type { LoadStatus } from './load'

interface SettingsState {
  status: LoadStatus
  settings: SettingsView | null
  error: UiError | null
  load(): Promise<void>
  /** From a method's result or a settings.changed event: the core's view always wins. */
  apply(settings: SettingsView): void
}

export const useSettings = create<SettingsState>()((set) => ({
  status: 'idle',
  settings: null,
  error: null,
  async load() {
    set((s) => ({ status: s.settings ? s.status : 'loading', error: null }))
    try {
      const settings = await getApi()['settings.get']({})
      set({ status: 'ready', settings, error: null })
    } catch (error) {
      set({ status: 'error', error: toUiError(error) })
    }
  },
  apply(settings) {
    set({ status: 'ready', settings, error: null })
  },
}))
