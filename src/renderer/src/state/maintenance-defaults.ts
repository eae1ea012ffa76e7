import { create } from 'zustand'
import type { MethodInput } from '../../../shared/contract'
import type {
  MaintenanceDefaults,
  RetentionPolicy,
  ScheduleDefaults,
} from '../../../shared/domain/schedules'
import { toUiError, type UiError } from '../lib/errors'
import { getApi } from './api'
import type { LoadStatus } from './load'
import { useRetention } from './retention'
import { useSchedules } from './schedules'

type Saving = 'idle' | 'saving' | 'saved' | 'error'
export type ScheduleDefaultsChange = MethodInput<'schedules.setDefaults'>

interface DefaultsState {
  status: LoadStatus
  /** schedules.getDefaults + retention.getDefaults, then schedules.defaultsChanged events. */
  defaults: MaintenanceDefaults | null
  /** Grows with every change of the defaults: forms showing values that follow them start over. */
  version: number
  error: UiError | null
  scheduleSaving: Saving
  scheduleError: UiError | null
  retentionSaving: Saving
  retentionError: UiError | null
  load(): Promise<void>
  apply(defaults: MaintenanceDefaults): void
  saveSchedule(change: ScheduleDefaultsChange): Promise<boolean>
  /** `null` goes back to Cairn's built-in policy. */
  saveRetention(policy: RetentionPolicy | null): Promise<boolean>
}

let following = false

/**
 * What every workspace without its own schedule or retention policy follows (schedules.json's
 * defaults in the core). Changing them re-publishes each workspace's schedule status.
 */
export const useMaintenanceDefaults = create<DefaultsState>()((set, get) => ({
  status: 'idle',
  defaults: null,
  version: 0,
  error: null,
  scheduleSaving: 'idle',
  scheduleError: null,
  retentionSaving: 'idle',
  retentionError: null,
  async load() {
    if (!following) {
      following = true
      getApi().on('schedules.defaultsChanged', (defaults) => get().apply(defaults))
    }
    set((s) => ({ status: s.defaults ? s.status : 'loading', error: null }))
    try {
      const [schedule, retention] = await Promise.all([
        getApi()['schedules.getDefaults']({}),
        getApi()['retention.getDefaults']({}),
      ])
      set({ status: 'ready', defaults: { schedule, retention } })
    } catch (error) {
      set({ status: 'error', error: toUiError(error) })
    }
  },
  apply(defaults) {
    set({ status: 'ready', defaults })
    // Rows showing a workspace's schedule start over once its status has the new values.
    const schedules = useSchedules.getState()
    const reloaded = schedules.status === 'idle' ? Promise.resolve() : schedules.load()
    void reloaded.then(() => set((s) => ({ version: s.version + 1 })))
    // Workspaces following the default policy show it: their views are read again when needed.
    useRetention.setState({ views: {}, previews: {} })
  },
  async saveSchedule(change) {
    set({ scheduleSaving: 'saving', scheduleError: null })
    try {
      const schedule: ScheduleDefaults = await getApi()['schedules.setDefaults'](change)
      set((s) => ({
        scheduleSaving: 'saved',
        defaults: s.defaults ? { ...s.defaults, schedule } : s.defaults,
      }))
      return true
    } catch (error) {
      set({ scheduleSaving: 'error', scheduleError: toUiError(error) })
      return false
    }
  },
  async saveRetention(policy) {
    set({ retentionSaving: 'saving', retentionError: null })
    try {
      const retention = await getApi()['retention.setDefaults']({ policy })
      set((s) => ({
        retentionSaving: 'saved',
        defaults: s.defaults ? { ...s.defaults, retention } : s.defaults,
      }))
      useRetention.setState({ views: {}, previews: {} })
      return true
    } catch (error) {
      set({ retentionSaving: 'error', retentionError: toUiError(error) })
      return false
    }
  },
}))
