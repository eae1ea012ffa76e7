import { ConnectionBanner } from './components/ConnectionBanner'
import { Header } from './components/Header'
import { Sidebar } from './components/Sidebar'
import { Toasts } from './notifications/Toasts'
import { ActivityPage } from './pages/ActivityPage'
import { SettingsPage } from './pages/SettingsPage'
import { WorkspacesPage } from './pages/WorkspacesPage'
import { OnboardingPage } from './pages/onboarding/OnboardingPage'
import { WorkspaceDetailPage } from './pages/workspace/WorkspaceDetailPage'
import { useNavigation, type Page } from './state/navigation'
import { useWorkspaces } from './state/workspaces'

const pages: Record<
  Exclude<Page, 'onboarding'>,
  { title: string; subtitle: string; Component: () => React.JSX.Element }
> = {
  workspaces: {
    title: 'Workspaces',
    subtitle: 'Cloud machines for your coding work, kept safe as restore points.',
    Component: WorkspacesPage,
  },
  workspace: {
    title: 'Workspace',
    subtitle: 'Its server, its restore points, and what is running on it now.',
    Component: WorkspaceDetailPage,
  },
  activity: {
    title: 'Activity',
    subtitle: 'Backups, restores and checks: running now and finished.',
    Component: ActivityPage,
  },
  settings: {
    title: 'Settings',
    subtitle: 'Cloud, storage, backups, notifications and keys.',
    Component: SettingsPage,
  },
}

export function App() {
  const page = useNavigation((s) => s.page)
  const workspaceName = useWorkspaces((s) => {
    const id = useNavigation.getState().workspaceId
    return s.list?.workspaces.find((w) => w.id === id)?.name ?? null
  })
  // The guided first run has the whole window: nothing else is usable before it is done.
  if (page === 'onboarding') return <OnboardingPage />
  const { title: pageTitle, subtitle, Component } = pages[page]
  const title = page === 'workspace' && workspaceName ? workspaceName : pageTitle
  return (
    <div className="app">
      {/* A button, not a #main link: the URL fragment holds the headless host's token. */}
      <button
        type="button"
        className="skip-link"
        onClick={() => document.getElementById('main')?.focus()}
      >
        Skip to content
      </button>
      <Sidebar />
      <div className="main-column">
        <div className="top">
          <Header title={title} subtitle={subtitle} />
          <ConnectionBanner />
        </div>
        <main className="main" id="main" tabIndex={-1}>
          <div className="page">
            <Component />
          </div>
        </main>
      </div>
      <Toasts />
    </div>
  )
}
