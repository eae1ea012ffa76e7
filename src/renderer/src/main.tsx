import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { startOnboardingGate } from './state/onboarding'
import { startSync } from './state/sync'
import './styles/tokens.css'
import './styles/base.css'
import './styles/layout.css'
import './styles/components.css'
import './styles/settings.css'
import './styles/settings-defaults.css'
import './styles/workspaces.css'
import './styles/activity.css'
import './styles/toasts.css'
import './styles/workspace-detail.css'
import './styles/restore.css'
import './styles/onboarding.css'

startSync()
startOnboardingGate()

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
