import type { ReactNode } from 'react'

export function SectionHeading({
  id,
  icon,
  title,
  description,
  aside,
}: {
  id: string
  icon: ReactNode
  title: string
  description: string
  aside?: ReactNode
}) {
  return (
    <div className="section-heading">
      <span className="section-icon" aria-hidden="true">
        {icon}
      </span>
      <div className="section-heading-text">
        <h2 id={id}>{title}</h2>
        <p>{description}</p>
      </div>
      {aside ? <div className="section-aside">{aside}</div> : null}
    </div>
  )
}
