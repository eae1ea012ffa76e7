import { create } from 'zustand'
import type { IdleSettings } from '../../../shared/domain/idle'
import type { Preferences } from '../../../shared/domain/settings'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import type { LoadStatus } from './load'
import { useSettings } from './settings'

type Saving = 'idle' | 'saving' | 'saved' | 'error'

interface PreferencesState {
  /** settings.setPreferences: the last change's outcome, per preference. */
  saving: Partial<Record<keyof Preferences, Saving>>
  error: UiError | null
  setPreference<K extends keyof Preferences>(key: K, value: Preferences[K]): Promise<void>

  idleStatus: LoadStatus
  idle: IdleSettings | null
  idleError: UiError | null
  idleSaving: boolean
  loadIdle(): Promise<void>
  setStopAllOnQuit(enabled: boolean): Promise<void>
}

/** Desktop preferences (in settings.json) and the idle settings that apply to every workspace. */
export const usePreferences = create<PreferencesState>()((set, get) => ({
  saving: {},
  error: null,
  async setPreference(key, value) {
    set((s) => ({ saving: { ...s.saving, [key]: 'saving' }, error: null }))
    try {
      const settings = await getApi()['settings.setPreferences']({ [key]: value })
      useSettings.getState().apply(settings)
      set((s) => ({ saving: { ...s.saving, [key]: 'saved' } }))
    } catch (error) {
      set((s) => ({ saving: { ...s.saving, [key]: 'error' }, error: toUiError(error) }))
    }
  },

  idleStatus: 'idle',
  idle: null,
  idleError: null,
  idleSaving: false,
  async loadIdle() {
    set((s) => ({ idleStatus: s.idle ? s.idleStatus : 'loading', idleError: null }))
    try {
      set({ idleStatus: 'ready', idle: await getApi()['idle.settings']({}) })
    } catch (error) {
      set({ idleStatus: 'error', idleError: toUiError(error) })
    }
  },
  async setStopAllOnQuit(enabled) {
    if (get().idleSaving) return
    set({ idleSaving: true, idleError: null })
    try {
      set({ idle: await getApi()['idle.setStopAllOnQuit']({ enabled }), idleStatus: 'ready' })
    } catch (error) {
      set({ idleError: toUiError(error) })
    } finally {
      set({ idleSaving: false })
    }
  },
}))
