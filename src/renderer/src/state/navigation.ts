import { create } from 'zustand'

export type Page = 'workspaces' | 'activity' | 'settings'

interface NavigationState {
  page: Page
  go(page: Page): void
}

/**
 * In-memory navigation: the URL fragment carries the headless host's token, and the app has few
 * enough screens that history entries would add nothing.
 */
export const useNavigation = create<NavigationState>()((set) => ({
  page: 'workspaces',
  go: (page) => set({ page }),
}))
