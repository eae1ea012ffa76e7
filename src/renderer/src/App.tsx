import { ConnectionBanner } from './components/ConnectionBanner'
import { Header } from './components/Header'
import { Sidebar } from './components/Sidebar'
import { ActivityPage } from './pages/ActivityPage'
import { SettingsPage } from './pages/SettingsPage'
import { WorkspacesPage } from './pages/WorkspacesPage'
import { useNavigation, type Page } from './state/navigation'

const pages: Record<Page, { title: string; subtitle: string; Component: () => React.JSX.Element }> =
  {
    workspaces: {
      title: 'Workspaces',
      subtitle: 'Cloud machines for your coding work, kept safe as restore points.',
      Component: WorkspacesPage,
    },
    activity: {
      title: 'Activity',
      subtitle: 'Backups, restores and checks: running now and finished.',
      Component: ActivityPage,
    },
    settings: {
      title: 'Settings',
      subtitle: 'Your cloud account and where restore points are kept.',
      Component: SettingsPage,
    },
  }

export function App() {
  const page = useNavigation((s) => s.page)
  const { title, subtitle, Component } = pages[page]
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
    </div>
  )
}
