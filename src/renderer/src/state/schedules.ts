import { create } from 'zustand'
import type { MethodInput } from '../../../shared/contract'
import type { ScheduleStatus } from '../../../shared/domain/schedules'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import type { LoadStatus } from './load'

export type ScheduleChange = Omit<MethodInput<'schedules.set'>, 'workspaceId'>

interface SchedulesState {
  status: LoadStatus
  /** schedules.status, then schedules.changed events, one entry per workspace. */
  items: ScheduleStatus[]
  error: UiError | null
  saving: Record<string, boolean | undefined>
  saveErrors: Record<string, UiError | undefined>
  load(): Promise<void>
  apply(status: ScheduleStatus): void
  /** schedules.set; true when the core took the change. */
  save(workspaceId: string, change: ScheduleChange): Promise<boolean>
}

let following = false

/** Every workspace's backup and verify schedule with its next run and last outcome. */
export const useSchedules = create<SchedulesState>()((set, get) => ({
  status: 'idle',
  items: [],
  error: null,
  saving: {},
  saveErrors: {},
  async load() {
    if (!following) {
      // Started by the first screen that needs schedules; the core's events keep it current.
      following = true
      getApi().on('schedules.changed', (status) => get().apply(status))
    }
    set((s) => ({ status: s.status === 'ready' ? 'ready' : 'loading', error: null }))
    try {
      set({ status: 'ready', items: await getApi()['schedules.status']({}) })
    } catch (error) {
      set({ status: 'error', error: toUiError(error) })
    }
  },
  apply(status) {
    set((s) => {
      const items = [...s.items]
      const index = items.findIndex((i) => i.workspaceId === status.workspaceId)
      if (index < 0) items.push(status)
      else items[index] = status
      return { items }
    })
  },
  async save(workspaceId, change) {
    set((s) => ({
      saving: { ...s.saving, [workspaceId]: true },
      saveErrors: { ...s.saveErrors, [workspaceId]: undefined },
    }))
    try {
      const settings = await getApi()['schedules.set']({ workspaceId, ...change })
      set((s) => ({
        items: s.items.map((i) => (i.workspaceId === workspaceId ? { ...i, settings } : i)),
      }))
      return true
    } catch (error) {
      set((s) => ({ saveErrors: { ...s.saveErrors, [workspaceId]: toUiError(error) } }))
      return false
    } finally {
      set((s) => ({ saving: { ...s.saving, [workspaceId]: false } }))
    }
  },
}))
