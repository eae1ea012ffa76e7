import { create } from 'zustand'
import type { RepositoryStatus } from '../../../shared/domain/backup'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import type { LoadStatus } from './load'
import { useWorkspaces } from './workspaces'

interface RepositoryState {
  status: LoadStatus
  repository: RepositoryStatus | null
  error: UiError | null
  creating: boolean
  createError: UiError | null
  /**
   * The recovery key of a master key made just now, until the user says it is saved. Held only
   * in memory: the core shows it once (keys.exportRecovery) and never again without asking.
   */
  recoveryKey: string | null
  load(): Promise<void>
  /** repository.init, then the new master key's recovery key for the user to keep. */
  create(): Promise<void>
  recoverySaved(): void
}

/** The repository in the configured storage: needed before the first workspace. */
export const useRepository = create<RepositoryState>()((set, get) => ({
  status: 'idle',
  repository: null,
  error: null,
  creating: false,
  createError: null,
  recoveryKey: null,

  async load() {
    set((s) => ({ status: s.repository ? s.status : 'loading', error: null }))
    try {
      set({ status: 'ready', repository: await getApi()['repository.status']({}) })
    } catch (error) {
      set({ status: 'error', error: toUiError(error) })
    }
  },

  async create() {
    if (get().creating) return
    set({ creating: true, createError: null })
    try {
      const made = await getApi()['repository.init']({})
      let recoveryKey: string | null = null
      if (made.masterKeyCreated) {
        recoveryKey = (await getApi()['keys.exportRecovery']({ again: false })).recoveryKey
      }
      set({ creating: false, recoveryKey })
      await get().load()
      // The list was compared with a storage that had no repository: compare it again.
      void useWorkspaces.getState().reconcile()
    } catch (error) {
      set({ creating: false, createError: toUiError(error) })
    }
  },

  recoverySaved() {
    set({ recoveryKey: null })
  },
}))
