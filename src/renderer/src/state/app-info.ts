import { create } from 'zustand'
import type { MethodOutput } from '../../../shared/contract'
import { getApi } from './api'

type AppInfo = MethodOutput<'app.info'>

interface AppInfoState {
  info: AppInfo | null
  load(): Promise<void>
}

/** Version and host kind, for the sidebar footer; a failure here is not worth a panel. */
export const useAppInfo = create<AppInfoState>()((set) => ({
  info: null,
  async load() {
    try {
      set({ info: await getApi()['app.info']({}) })
    } catch {
      set({ info: null })
    }
  },
}))
