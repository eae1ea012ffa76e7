import { create } from 'zustand'
import type { HetznerCatalog } from '../../../shared/domain/hetzner'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import { idle, type Loadable } from './load'
import { useSettings } from './settings'

export type TokenCheck =
  | { status: 'idle' }
  | { status: 'checking' }
  | { status: 'saved' }
  | { status: 'error'; error: UiError }

export type Busy = { status: 'idle' | 'busy' | 'done' } | { status: 'error'; error: UiError }

interface HetznerState {
  check: TokenCheck
  catalog: Loadable<HetznerCatalog>
  /** The location whose prices the server type table shows. */
  location: string | null
  removal: Busy
  apiBase: Busy
  saveToken(token: string): Promise<boolean>
  loadCatalog(): Promise<void>
  removeToken(): Promise<void>
  setLocation(name: string): void
  setApiBase(url: string): Promise<boolean>
  resetCheck(): void
  /** The token is gone (removed here or elsewhere): forget what it showed. */
  forget(): void
}

function pickLocation(catalog: HetznerCatalog, current: string | null): string | null {
  if (current && catalog.locations.some((l) => l.name === current)) return current
  return catalog.locations[0]?.name ?? null
}

export const useHetzner = create<HetznerState>()((set, get) => ({
  check: { status: 'idle' },
  catalog: idle(),
  location: null,
  removal: { status: 'idle' },
  apiBase: { status: 'idle' },

  async saveToken(token) {
    if (get().check.status === 'checking') return false
    set({ check: { status: 'checking' } })
    try {
      const catalog = await getApi()['hetzner.setToken']({ token })
      set((s) => ({
        check: { status: 'saved' },
        catalog: { status: 'ready', data: catalog, error: null },
        location: pickLocation(catalog, s.location),
        removal: { status: 'idle' },
      }))
      // settings.changed normally brings this; loading it too keeps the screen right without it.
      void useSettings.getState().load()
      return true
    } catch (error) {
      set({ check: { status: 'error', error: toUiError(error) } })
      return false
    }
  },

  async loadCatalog() {
    if (get().catalog.status === 'loading') return
    set((s) => ({ catalog: { status: 'loading', data: s.catalog.data, error: null } }))
    try {
      const catalog = await getApi()['hetzner.catalog']({})
      set((s) => ({
        catalog: { status: 'ready', data: catalog, error: null },
        location: pickLocation(catalog, s.location),
      }))
    } catch (error) {
      set({ catalog: { status: 'error', data: null, error: toUiError(error) } })
    }
  },

  async removeToken() {
    set({ removal: { status: 'busy' } })
    try {
      const settings = await getApi()['hetzner.clearToken']({})
      useSettings.getState().apply(settings)
      get().forget()
      set({ removal: { status: 'done' } })
    } catch (error) {
      set({ removal: { status: 'error', error: toUiError(error) } })
    }
  },

  setLocation(name) {
    set({ location: name })
  },

  async setApiBase(url) {
    set({ apiBase: { status: 'busy' } })
    try {
      const settings = await getApi()['settings.setHetznerApiBase']({ url })
      useSettings.getState().apply(settings)
      set({ apiBase: { status: 'done' } })
      // Prices come from the API just chosen.
      if (settings.hasHetznerToken) void get().loadCatalog()
      return true
    } catch (error) {
      set({ apiBase: { status: 'error', error: toUiError(error) } })
      return false
    }
  },

  resetCheck() {
    set({ check: { status: 'idle' } })
  },

  forget() {
    set({ catalog: idle(), check: { status: 'idle' } })
  },
}))
