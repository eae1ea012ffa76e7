import type { ReactNode } from 'react'
import { AlertIcon, CheckIcon, InfoIcon } from './icons'

type Tone = 'error' | 'success' | 'info' | 'warning'

interface CalloutProps {
  tone: Tone
  title: string
  children?: ReactNode
  actions?: ReactNode
  testId?: string
}

/**
 * A message panel with a heading: errors, confirmations, notes. Errors are announced at once
 * (role=alert), the rest politely.
 */
export function Callout({ tone, title, children, actions, testId }: CalloutProps) {
  const Icon = tone === 'success' ? CheckIcon : tone === 'info' ? InfoIcon : AlertIcon
  return (
    <div
      className={`callout callout-${tone}`}
      role={tone === 'error' ? 'alert' : 'status'}
      data-testid={testId}
    >
      <Icon className="callout-icon" size={18} />
      <div className="callout-body">
        <p className="callout-title">{title}</p>
        {children ? <div className="callout-text">{children}</div> : null}
        {actions ? <div className="callout-actions">{actions}</div> : null}
      </div>
    </div>
  )
}
