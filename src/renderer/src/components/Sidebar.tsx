import type { ReactElement } from 'react'
import { useNavigation, type Page } from '../state/navigation'
import { ActivityIcon, CairnMark, ServerIcon, SettingsIcon } from './icons'
import { useJobs } from '../state/jobs'
import { useAppInfo } from '../state/app-info'

const items: { page: Page; label: string; icon: () => ReactElement }[] = [
  { page: 'workspaces', label: 'Workspaces', icon: () => <ServerIcon /> },
  { page: 'activity', label: 'Activity', icon: () => <ActivityIcon /> },
  { page: 'settings', label: 'Settings', icon: () => <SettingsIcon /> },
]

export function Sidebar() {
  const page = useNavigation((s) => s.page)
  const go = useNavigation((s) => s.go)
  const running = useJobs(
    (s) => s.jobs.filter((j) => j.state === 'running' || j.state === 'queued').length,
  )
  const info = useAppInfo((s) => s.info)
  return (
    <div className="sidebar-column">
      <nav className="sidebar" aria-label="Main">
        <div className="sidebar-brand">
          <CairnMark size={22} />
          <span className="sidebar-brand-name">Cairn</span>
        </div>
        <ul className="sidebar-list">
          {items.map((item) => (
            <li key={item.page}>
              <button
                type="button"
                className="sidebar-item"
                aria-current={page === item.page ? 'page' : undefined}
                onClick={() => go(item.page)}
              >
                {item.icon()}
                <span>{item.label}</span>
                {item.page === 'activity' && running > 0 ? (
                  <span className="sidebar-count" aria-label={`${running} running`}>
                    {running}
                  </span>
                ) : null}
              </button>
            </li>
          ))}
        </ul>
        {info ? (
          <p className="sidebar-footer">
            Cairn {info.version}
            <br />
            {info.host === 'headless' ? 'Headless host' : 'Desktop'} · {info.platform}
          </p>
        ) : null}
      </nav>
    </div>
  )
}
