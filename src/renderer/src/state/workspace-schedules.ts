import { create } from 'zustand'
import type { ScheduleStatus } from '../../../shared/domain/schedules'
import { getApi } from './api'

interface WorkspaceSchedulesState {
  /** By workspace id; what the backup health marks measure against. */
  byWorkspace: Record<string, ScheduleStatus | undefined>
  loaded: boolean
  load(): Promise<void>
}

let following = false

/**
 * Each workspace's schedule status (schedules.status), kept current by schedules.changed events.
 * Loaded by the Workspaces screen; a failure only means the default schedule is assumed.
 */
export const useWorkspaceSchedules = create<WorkspaceSchedulesState>()((set) => ({
  byWorkspace: {},
  loaded: false,
  async load() {
    const api = getApi()
    if (!following) {
      following = true
      api.on('schedules.changed', (status) =>
        set((s) => ({ byWorkspace: { ...s.byWorkspace, [status.workspaceId]: status } })),
      )
    }
    try {
      const all = await api['schedules.status']({})
      set({ loaded: true, byWorkspace: Object.fromEntries(all.map((s) => [s.workspaceId, s])) })
    } catch {
      set({ loaded: true })
    }
  },
}))
