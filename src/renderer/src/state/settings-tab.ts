import { create } from 'zustand'

/** The parts of Settings, in the order of the list on the left. */
export const settingsTabs = [
  { id: 'accounts', label: 'Cloud & storage' },
  { id: 'backups', label: 'Backups' },
  { id: 'general', label: 'General' },
  { id: 'security', label: 'Security' },
] as const
export type SettingsTab = (typeof settingsTabs)[number]['id']

interface SettingsTabState {
  tab: SettingsTab
  show(tab: SettingsTab): void
}

/** Which part of Settings is open; kept while the user visits other pages. */
export const useSettingsTab = create<SettingsTabState>()((set) => ({
  tab: 'accounts',
  show(tab) {
    set({ tab })
  },
}))
