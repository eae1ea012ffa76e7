import { create } from 'zustand'
import type { IdleState } from '../../../shared/domain/idle'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'

interface IdleStore {
  /** By workspace id, from idle.status and then idle.state events. */
  states: Record<string, IdleState | undefined>
  postponing: Record<string, boolean | undefined>
  error: UiError | null
  load(): Promise<void>
  apply(state: IdleState): void
  postpone(workspaceId: string, minutes: number): Promise<void>
}

/** What idle detection knows of each running workspace (the core checks; this only listens). */
export const useIdle = create<IdleStore>()((set, get) => ({
  states: {},
  postponing: {},
  error: null,
  async load() {
    try {
      const states = await getApi()['idle.status']({})
      set({ states: Object.fromEntries(states.map((s) => [s.workspaceId, s])), error: null })
    } catch (error) {
      // Auto-stop details are extra: the list works without them.
      set({ error: toUiError(error) })
    }
  },
  apply(state) {
    set((s) => ({ states: { ...s.states, [state.workspaceId]: state } }))
  },
  async postpone(workspaceId, minutes) {
    if (get().postponing[workspaceId]) return
    set((s) => ({ postponing: { ...s.postponing, [workspaceId]: true }, error: null }))
    try {
      get().apply(await getApi()['idle.postpone']({ workspaceId, minutes }))
    } catch (error) {
      set({ error: toUiError(error) })
    } finally {
      set((s) => ({ postponing: { ...s.postponing, [workspaceId]: false } }))
    }
  },
}))
