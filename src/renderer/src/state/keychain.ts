import { create } from 'zustand'
import type { KeychainStatus } from '../../../shared/domain/keychain'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import type { LoadStatus } from './load'

interface KeychainState {
  status: LoadStatus
  keychain: KeychainStatus | null
  error: UiError | null
  load(): Promise<void>
}

export const useKeychain = create<KeychainState>()((set) => ({
  status: 'idle',
  keychain: null,
  error: null,
  async load() {
    set({ status: 'loading', error: null })
    try {
      const keychain = await getApi()['keychain.status']({})
      set({ status: 'ready', keychain })
    } catch (error) {
      set({ status: 'error', error: toUiError(error) })
    }
  },
}))
