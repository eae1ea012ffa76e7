import { create } from 'zustand'
import type { AppNavigate } from '../../../shared/domain/navigation'

/**
 * `workspace` is one workspace's detail (its id in `workspaceId`); `onboarding` is the guided
 * first run, shown without the sidebar.
 */
export type Page = 'workspaces' | 'workspace' | 'activity' | 'settings' | 'onboarding'

interface NavigationState {
  page: Page
  /** The workspace the detail page shows; kept when leaving it, so Back returns to it. */
  workspaceId: string | null
  go(page: Page): void
  openWorkspace(id: string): void
}

/**
 * In-memory navigation: the URL fragment carries the headless host's token, and the app has few
 * enough screens that history entries would add nothing.
 */
export const useNavigation = create<NavigationState>()((set) => ({
  page: 'workspaces',
  workspaceId: null,
  go: (page) => set({ page }),
  openWorkspace: (id) => set({ page: 'workspace', workspaceId: id }),
}))

/**
 * An app.navigate event (the tray's "Show in Cairn", a desktop notification clicked). Ignored in
 * the guided setup: the shell must not pull the user out of it half way.
 */
export function followNavigate(to: AppNavigate): void {
  const navigation = useNavigation.getState()
  if (navigation.page === 'onboarding') return
  if (to.page === 'workspace') navigation.openWorkspace(to.workspaceId)
  else navigation.go(to.page)
}
